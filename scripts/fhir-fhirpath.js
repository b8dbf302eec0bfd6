/**
 * Translates the simple FHIRPath invariants of the R4 StructureDefinitions into JavaScript
 * boolean expressions over one JSON object `o` (the element the constraint sits on), at build
 * time. Used by scripts/fhir-extract-constraints.js; the output is inlined by the fast validator
 * (src/fhir/schema/fast-codegen.ts) and evaluated by its explainer. No FHIRPath runs per line.
 *
 * The grammar, kept small on purpose (anything else throws a reason, and the invariant stays
 * hand-written in src/fhir/schema/invariants.ts or is listed as not covered):
 *   expr     := expr ('implies' | 'or' | 'xor' | 'and') expr | 'not'-able term
 *   term     := path '.' fn | path (('=' | '!=' | '<' | '<=' | '>' | '>=') literal)
 *             | count-sum ('>' | '>=' | '=') number | '(' expr ')' | term '.not()'
 *   path     := name ('.' name)*           child elements; `value` may name a choice value[x]
 *   fn       := exists() | empty() | hasValue() | startsWith(s) | contains(s) | matches(s)
 *   literal  := 'string' | number | %ucum
 *   count-sum:= path.count() ('+' path.count())*
 * Comparisons and string functions apply to a single-valued primitive reached in one step.
 *
 * Semantics: FHIRPath's empty collection propagates through comparisons, and the reference
 * validator counts an invariant that evaluates to empty as failed. An operand that may be empty
 * is therefore compiled by its polarity: where a larger truth value helps the invariant pass
 * (positive), empty reads as false; under `not()` or left of `implies` (negative), as true.
 * That is exact for formulas monotone in each such operand, which the grammar guarantees by
 * refusing a possibly-empty operand under `xor` or a boolean `=`/`!=`.
 */
'use strict';

const UCUM = 'http://unitsofmeasure.org';

class Untranslatable extends Error {}

function tokenize(src) {
  const out = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== "'") {
        if (src[j] === '\\') {
          s += src[j + 1];
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new Untranslatable('unterminated string');
      out.push({ t: 'str', v: s });
      i = j + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=') {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if ('=<>+().,|&-'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[%$]?[A-Za-z_][A-Za-z0-9_]*|^`[^`]+`/.exec(src.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0].replace(/`/g, '') });
      i += id[0].length;
      continue;
    }
    throw new Untranslatable(`unexpected character ${c}`);
  }
  return out;
}

/**
 * Recursive-descent parser to a small AST; precedence as FHIRPath's (implies lowest).
 * `resource`: read `%resource` as a path's first step (for the tests' reference evaluator of the
 * hand-written rules; the translator leaves it out, so such rules stay hand-written).
 */
function parse(src, resource = false) {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (v) => peek() && peek().t === 'op' && peek().v === v;
  const isWord = (v) => peek() && peek().t === 'id' && peek().v === v;
  const expect = (v) => {
    if (!isOp(v)) throw new Untranslatable(`expected ${v}`);
    p++;
  };
  const binary = (next, words) => () => {
    let left = next();
    while (peek() && words.some((w) => (w.length > 2 ? isWord(w) : isOp(w) || isWord(w)))) {
      const op = toks[p++].v;
      left = { k: 'bin', op, left, right: next() };
    }
    return left;
  };
  const primary = () => {
    const t = peek();
    if (!t) throw new Untranslatable('unexpected end');
    let node;
    if (t.t === 'op' && t.v === '(') {
      p++;
      node = implies();
      expect(')');
    } else if (t.t === 'str') {
      p++;
      node = { k: 'lit', v: t.v };
    } else if (t.t === 'num') {
      p++;
      node = { k: 'lit', v: t.v };
    } else if (t.t === 'id' && (t.v === 'true' || t.v === 'false')) {
      p++;
      node = { k: 'lit', v: t.v === 'true' };
    } else if (t.t === 'id' && t.v === '%ucum') {
      p++;
      node = { k: 'lit', v: UCUM };
    } else if (
      t.t === 'id' &&
      ((!t.v.startsWith('%') && !t.v.startsWith('$')) || (resource && t.v === '%resource'))
    ) {
      p++;
      node = { k: 'path', steps: [t.v] };
    } else throw new Untranslatable(`unsupported term ${t.v}`);
    // Invocations: .name (a child, only on a path) or .fn(args)
    while (isOp('.')) {
      p++;
      const name = peek();
      if (!name || name.t !== 'id') throw new Untranslatable('expected a name after .');
      p++;
      if (isOp('(')) {
        p++;
        const args = [];
        while (!isOp(')')) {
          args.push(implies());
          if (isOp(',')) p++;
        }
        p++;
        node = { k: 'fn', name: name.v, target: node, args };
      } else {
        if (node.k !== 'path') throw new Untranslatable(`navigation .${name.v} after a function`);
        node = { k: 'path', steps: [...node.steps, name.v] };
      }
    }
    return node;
  };
  const additive = binary(primary, ['+', '-', '&', '|']);
  const comparison = binary(additive, ['<=', '>=', '<', '>']);
  const equality = binary(comparison, ['=', '!=']);
  const membership = binary(equality, ['in', 'contains']);
  const and = binary(membership, ['and']);
  const or = binary(and, ['or', 'xor']);
  const implies = binary(or, ['implies']);
  const ast = implies();
  if (p !== toks.length) throw new Untranslatable(`trailing ${toks[p].v}`);
  return ast;
}

/**
 * Compiles the AST against a schema definition. `def` is the JSON-schema definition of the
 * element; `defs` all definitions (to follow a path through complex types).
 */
function compile(ast, defName, defs) {
  const lit = (v) => JSON.stringify(v);

  /** The JSON keys a FHIRPath child name stands for in `def` (value → valueQuantity, …). */
  function keysOf(def, name) {
    const props = def.properties || {};
    if (props[name]) return [name];
    const choice = Object.keys(props).filter(
      (k) => k.startsWith(name) && /^[A-Z]/.test(k.slice(name.length)) && !k.startsWith('_'),
    );
    if (choice.length) return choice;
    throw new Untranslatable(`${defName} has no element ${name}`);
  }
  const refOf = (prop) => {
    const ref = (prop && (prop.$ref || (prop.items && prop.items.$ref))) || '';
    return ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
  };
  const isPrimitiveDef = (name) => name !== undefined && /^[a-z]/.test(name);

  /** Walks a path: per step the keys (with `_x` twins of primitives), whether any step repeats. */
  function resolve(steps) {
    let def = defs[defName];
    const out = [];
    let repeats = false;
    let last;
    for (let i = 0; i < steps.length; i++) {
      if (!def || !def.properties) throw new Untranslatable(`cannot navigate ${steps.join('.')}`);
      const keys = keysOf(def, steps[i]);
      const props = keys.map((k) => def.properties[k]);
      if (props.some((pr) => pr.type === 'array')) repeats = true;
      const targets = props.map(refOf);
      const primitive = keys.length === 1 && (isPrimitiveDef(targets[0]) || targets[0] === undefined);
      const withTwins = keys.flatMap((k) => (def.properties['_' + k] ? [k, '_' + k] : [k]));
      out.push(withTwins);
      last = { keys, primitive, target: targets[0] };
      if (i < steps.length - 1) {
        if (keys.length !== 1 || !targets[0] || primitive)
          throw new Untranslatable(`navigation through ${steps[i]}`);
        def = defs[targets[0]];
      }
    }
    return { keys: out, repeats, last };
  }

  /** JS for "the path has at least one item" (an `_x` element counts: it exists). */
  function exists(steps) {
    const r = resolve(steps);
    if (steps.length === 1)
      return '(' + r.keys[0].map((k) => `o[${lit(k)}] !== undefined`).join(' || ') + ')';
    return `I_exists(o, ${lit(r.keys)}, 0)`;
  }

  /** JS for the single primitive value a comparison or string function reads (undefined: empty). */
  function value(node, why) {
    if (node.k !== 'path' || node.steps.length !== 1) throw new Untranslatable(`${why} on ${describe(node)}`);
    const r = resolve(node.steps);
    if (r.repeats || !r.last.primitive) throw new Untranslatable(`${why} on a repeating or complex element`);
    return `o[${lit(r.last.keys[0])}]`;
  }

  function describe(node) {
    return node.k === 'path' ? node.steps.join('.') : node.k === 'fn' ? node.name + '()' : node.k;
  }

  /**
   * Compiles a boolean node. `pos`: polarity (true where a larger truth value helps the invariant
   * pass). Returns { js, empty } where `empty` says an operand that may be empty was read.
   */
  function bool(node, pos) {
    switch (node.k) {
      case 'bin': {
        const { op } = node;
        if (op === 'and' || op === 'or') {
          const a = bool(node.left, pos);
          const b = bool(node.right, pos);
          return { js: `(${a.js} ${op === 'and' ? '&&' : '||'} ${b.js})`, empty: a.empty || b.empty };
        }
        if (op === 'implies') {
          const a = bool(node.left, !pos);
          const b = bool(node.right, pos);
          return { js: `(!${a.js} || ${b.js})`, empty: a.empty || b.empty };
        }
        if (op === 'xor' || ((op === '=' || op === '!=') && isBoolean(node.left) && isBoolean(node.right))) {
          const a = bool(node.left, pos);
          const b = bool(node.right, pos);
          if (a.empty || b.empty) throw new Untranslatable(`${op} over an operand that may be empty`);
          return { js: `(${a.js} ${op === '=' ? '===' : '!=='} ${b.js})`, empty: false };
        }
        if (['=', '!=', '<', '<=', '>', '>='].includes(op)) return comparison(node, pos);
        throw new Untranslatable(`operator ${op}`);
      }
      case 'fn':
        return fn(node, pos);
      default:
        throw new Untranslatable(`${describe(node)} is not a boolean`);
    }
  }

  function isBoolean(node) {
    if (node.k === 'fn')
      return ['exists', 'empty', 'hasValue', 'not', 'startsWith', 'contains', 'matches'].includes(node.name);
    if (node.k === 'bin') return ['and', 'or', 'xor', 'implies'].includes(node.op);
    return false;
  }

  function comparison(node, pos) {
    const { op } = node;
    const js = { '=': '===', '!=': '!==', '<': '<', '<=': '<=', '>': '>', '>=': '>=' }[op];
    // count() sums: never empty (count of nothing is 0)
    if (isCountSum(node.left) && node.right.k === 'lit' && typeof node.right.v === 'number')
      return { js: `(${countSum(node.left)} ${js} ${lit(node.right.v)})`, empty: false };
    if (node.right.k !== 'lit')
      throw new Untranslatable(`comparison of ${describe(node.left)} with ${describe(node.right)}`);
    const v = value(node.left, 'comparison');
    const known = `${v} !== undefined`;
    const test = `${v} ${js} ${lit(node.right.v)}`;
    return { js: pos ? `(${known} && ${test})` : `(${v} === undefined || ${test})`, empty: true };
  }

  function isCountSum(node) {
    if (node.k === 'fn') return node.name === 'count' && node.target.k === 'path' && node.args.length === 0;
    return node.k === 'bin' && node.op === '+' && isCountSum(node.left) && isCountSum(node.right);
  }
  function countSum(node) {
    if (node.k === 'bin') return `${countSum(node.left)} + ${countSum(node.right)}`;
    const r = resolve(node.target.steps);
    if (node.target.steps.length !== 1) throw new Untranslatable('count() of a path');
    const [k, twin] = [r.last.keys[0], r.keys[0][1]];
    if (r.last.keys.length !== 1) throw new Untranslatable('count() of a choice');
    return twin ? `I_count(o[${lit(k)}], o[${lit(twin)}])` : `I_count(o[${lit(k)}])`;
  }

  function fn(node, pos) {
    const { name, target, args } = node;
    const arg = (i) => {
      const a = args[i];
      if (!a || a.k !== 'lit' || typeof a.v !== 'string')
        throw new Untranslatable(`${name}() needs a string`);
      return a.v;
    };
    switch (name) {
      case 'exists':
      case 'empty':
        if (args.length) throw new Untranslatable(`${name}(criteria)`);
        if (target.k !== 'path') throw new Untranslatable(`${name}() of ${describe(target)}`);
        return { js: name === 'exists' ? exists(target.steps) : `!${exists(target.steps)}`, empty: false };
      case 'hasValue': {
        const v = value(target, 'hasValue()');
        return { js: `(${v} !== undefined)`, empty: false };
      }
      case 'not': {
        const a = bool(target, !pos);
        return { js: `!${a.js}`, empty: a.empty };
      }
      case 'startsWith':
      case 'contains':
      case 'matches': {
        const v = value(target, `${name}()`);
        const s = arg(0);
        let test;
        if (name === 'startsWith') test = `${v}.startsWith(${lit(s)})`;
        else if (name === 'contains') test = `${v}.indexOf(${lit(s)}) !== -1`;
        // FHIRPath matches() is a partial match (Java's find()), single-line mode
        else test = `/${new RegExp(s, 's').source}/s.test(${v})`;
        const str = `typeof ${v} === "string"`;
        return { js: pos ? `(${str} && ${test})` : `(!(${str}) || ${test})`, empty: true };
      }
      default:
        throw new Untranslatable(`function ${name}()`);
    }
  }

  return bool(ast, true).js;
}

/** { js } for a translatable expression, or { reason } for one outside the grammar. */
function translate(expression, defName, defs) {
  try {
    return { js: compile(parse(expression), defName, defs) };
  } catch (e) {
    if (e instanceof Untranslatable) return { reason: e.message };
    throw e;
  }
}

module.exports = { translate, parse, UCUM };
