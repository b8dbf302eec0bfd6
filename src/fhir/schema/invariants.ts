/**
 * FHIR R4 rules that the JSON schema cannot say, compiled into the fast validator (fast-codegen.ts)
 * and explained, with a path and a message, by explain-invariants.ts when the fast validator
 * rejects a resource that Ajv accepts. Both use the helper functions below, written once as
 * plain JavaScript text (the generated module has no imports), so they cannot drift apart.
 *
 * Two kinds of rules:
 * - generated: the R4 invariants whose FHIRPath fits the small grammar of scripts/fhir-fhirpath.js,
 *   translated at build time into JavaScript over the element `o` (spec/fhir/r4-constraints.json,
 *   `invariants`; prepare.ts hangs them on their definitions as `fhirInvariants`): qty-3, age-1,
 *   dis-1, drt-1, sqty-1, cpt-2, att-1, rat-1, pat-1, tim-1, tim-2, tim-4…tim-8, tim-10, bdl-1,
 *   bdl-2, bdl-5, bdl-8…bdl-10, cpb-0…cpb-3, cpb-14…cpb-16, org-1, obs-3, obs-6, exp-1, drq-1,
 *   drq-2, trd-1…trd-3 (the constraints file lists them, and those it does not translate, why);
 * - hand-written, below, for what the grammar leaves out:
 *   - ele-1: an element has a value or a child other than `id` (`meta: {"id":"x"}`, `given: [null]`
 *     without a matching `_given`, `_gender: {"id":"x"}` without `gender`);
 *   - ext-1: an extension has nested extensions or a value[x] (both: the schema keyword `fhirExt1`);
 *   - per-1 (Period), rng-2 (Range), Task inv-1: order of two dates or quantities;
 *   - ref-1, dom-2…dom-5: local references and contained resources;
 *   - txt-1 (the narrative's XHTML), cnt-3 (Count), tim-9 (Timing.repeat), org-2/org-3 (Organization), Bundle bdl-3, bdl-4, bdl-7,
 *     bdl-11, bdl-12, CapabilityStatement cpb-7, cpb-9, cpb-12;
 *   - date, dateTime and instant values are days of the calendar (`1980-02-30` is not);
 *   - a Coding of a complete HL7 code system (the constraints file's codeSystems) has one of its
 *     codes, and a display that is not the concept's is a warning (I_coding, I_displayOk); a
 *     meta.profile this validator does not know is a warning (I_knownProfile);
 *   - Observation obs-7 (its FHIRPath reads %resource): I_observation7At;
 *   - Money.currency is an ISO 4217 code (its required binding);
 *   - a Reference.reference holds no whitespace;
 *   - an Extension's url is absolute, except inside a complex extension.
 * Empty uri/url/canonical values are refused by the schema itself (prepare.ts).
 */

import { PATTERN_REWRITES } from './prepare';
import type { SchemaNode } from './source';

const STRING_PATTERN = PATTERN_REWRITES['^[ \\r\\n\\t\\S]+$'];

/**
 * A property (or array item) schema of FHIR type `string`, whose values the reference validator
 * warns about when they start or end with whitespace: a `$ref` to string, or an inline string
 * pattern on a `…String` property (Extension.valueString). Not markdown, code, uri or id.
 */
export function isPlainString(node: SchemaNode, propName: string): boolean {
  if (node.$ref === '#/definitions/string') return true;
  return node.$ref === undefined && node.pattern === STRING_PATTERN && propName.endsWith('String');
}

/** A generated invariant, as the constraints file and the prepared schema carry it. */
export interface GeneratedInvariant {
  key: string;
  severity: 'error' | 'warning';
  /** The rule in words, from the R4 definitions. */
  human: string;
  /** The FHIRPath expression it was translated from. */
  expression: string;
  /** JavaScript boolean expression over the element `o` (may call I_exists and I_count). */
  js: string;
}

/** JavaScript source of the helpers; every name starts with `I_` (or is CURRENCIES). */
export const INVARIANT_SOURCE = String.raw`
// ISO 4217 codes: the current list, plus codes replaced since R4 was published (2019).
const CURRENCIES = new Set(("AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV " +
  "BRL BSD BTN BWP BYN BYR BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP " +
  "ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY " +
  "KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LTL LVL LYD MAD MDL MGA MKD MMK MNT MOP MRO MRU MUR " +
  "MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD " +
  "SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STD STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD " +
  "USN UYI UYU UYW UZS VED VEF VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS " +
  "XUA XXX YER ZAR ZMW ZWG ZWL").split(" "));
const I_WS = /[ \t\n\x0B\f\r]/; // ASCII whitespace, as the reference validator reads \s
// Local references ("#id") met since the current resource began (see I_scope).
let I_LOCAL = [];
// How many contained lists the walk is inside of, and whether it is inside an Extension's extensions.
let I_CONTAINED = 0;
let I_NESTED_EXT = false;
// Set when a string value starts or ends with whitespace: the resource passes, with a warning.
let I_WARN = false;
function I_reset() {
  I_WARN = false;
  I_LOCAL = [];
  I_CONTAINED = 0;
  I_NESTED_EXT = false;
}
// txt-1 (Narrative.div, htmlChecks() as the reference validator evaluates it): well-formed XHTML,
// a root div in the XHTML namespace, only the elements and attributes R4 allows in narrative (the
// reference validator's lists), no DOCTYPE, declaration or processing instruction, no inner element
// in another namespace. An undefined result: none found; else what is wrong (never the content).
const I_XHTML_NS = "http://www.w3.org/1999/xhtml";
const I_XHTML_ELEMENTS = new Set(("p br div h1 h2 h3 h4 h5 h6 a span b em i strong small big tt dfn q var abbr acronym " +
  "cite blockquote hr address bdo kbd sub sup ul ol li dl dt dd pre table caption colgroup col thead tr tfoot tbody " +
  "th td code samp img map area").split(" "));
const I_XHTML_ATTRIBUTES = new Set(("title style class id lang xml:lang dir accesskey tabindex span width align valign " +
  "char charoff abbr axis headers scope rowspan colspan").split(" "));
const I_XHTML_ELEMENT_ATTRIBUTES = new Set(("a.href a.name img.src img.border div.xmlns blockquote.cite q.cite a.charset " +
  "a.type a.hreflang a.rel a.rev a.shape a.coords img.alt img.longdesc img.height img.width img.usemap img.ismap " +
  "map.name area.shape area.coords area.href area.nohref area.alt table.summary table.width table.border table.frame " +
  "table.rules table.cellspacing table.cellpadding pre.space td.nowrap").split(" "));
const I_XML_NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const I_XML_REFERENCES = /&(?!#[0-9]+;|#x[0-9A-Fa-f]+;|[A-Za-z][A-Za-z0-9]*;)/;
function I_xhtmlProblem(s) {
  if (typeof s !== "string") return undefined;
  const stack = [];
  let i = 0;
  let closed = false;
  while (i < s.length) {
    const lt = s.indexOf("<", i);
    const text = s.slice(i, lt === -1 ? s.length : lt);
    if (I_XML_REFERENCES.test(text)) return "has an & that starts no character or entity reference";
    if ((stack.length === 0) && text.trim() !== "") return "has text outside its div";
    if (lt === -1) break;
    if (s.startsWith("<!--", lt)) {
      const end = s.indexOf("-->", lt + 4);
      if (end === -1) return "has a comment that does not end";
      if (s.slice(lt + 4, end).trim().startsWith("DOCTYPE")) return "has a DOCTYPE";
      i = end + 3;
      continue;
    }
    if (s.startsWith("<![CDATA[", lt) && stack.length > 0) {
      const end = s.indexOf("]]>", lt + 9);
      if (end === -1) return "has a CDATA section that does not end";
      i = end + 3;
      continue;
    }
    const c = s.charAt(lt + 1);
    if (c === "!" || c === "?") return "has a declaration or processing instruction";
    if (c === "/") {
      const gt = s.indexOf(">", lt);
      const name = gt === -1 ? "" : s.slice(lt + 2, gt).trim();
      if (gt === -1 || stack.length === 0 || stack.pop() !== name) return "is not well-formed XHTML (tags do not match)";
      if (stack.length === 0) closed = true;
      i = gt + 1;
      continue;
    }
    const m = I_XML_NAME.exec(s.slice(lt + 1, lt + 200));
    if (m === null) return "is not well-formed XHTML (a tag without a name)";
    const name = m[0];
    if (closed) return "has content after its div";
    if (stack.length === 0 && name !== "div") return "is not a div (the narrative's root is a div)";
    if (!I_XHTML_ELEMENTS.has(name)) return "holds an element that narrative may not use";
    let j = lt + 1 + name.length;
    const seen = new Set();
    let selfClosing = false;
    for (;;) {
      while (j < s.length && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9 || s.charCodeAt(j) === 10 || s.charCodeAt(j) === 13)) j++;
      if (s.startsWith("/>", j)) { selfClosing = true; j += 2; break; }
      if (s.charAt(j) === ">") { j++; break; }
      const a = I_XML_NAME.exec(s.slice(j, j + 200));
      if (a === null)
        return "is not well-formed XHTML (an attribute or the tag's end is broken)";
      const attr = a[0];
      j += attr.length;
      while (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9 || s.charCodeAt(j) === 10 || s.charCodeAt(j) === 13) j++;
      if (s.charAt(j) !== "=") return "is not well-formed XHTML (an attribute without a value)";
      j++;
      while (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9 || s.charCodeAt(j) === 10 || s.charCodeAt(j) === 13) j++;
      const quote = s.charAt(j);
      if (quote !== '"' && quote !== "'") return "is not well-formed XHTML (an attribute value without quotes)";
      const end = s.indexOf(quote, j + 1);
      if (end === -1) return "is not well-formed XHTML (an attribute value that does not end)";
      const value = s.slice(j + 1, end);
      if (value.indexOf("<") !== -1 || I_XML_REFERENCES.test(value)) return "is not well-formed XHTML (a < or a bare & in an attribute)";
      if (seen.has(attr)) return "is not well-formed XHTML (an attribute given twice)";
      seen.add(attr);
      if (attr === "xmlns" && value !== I_XHTML_NS) return "is not in the XHTML namespace";
      if (!attr.startsWith("xmlns") && !I_XHTML_ATTRIBUTES.has(attr) && !I_XHTML_ELEMENT_ATTRIBUTES.has(name + "." + attr))
        return "holds an attribute that narrative may not use";
      j = end + 1;
    }
    if (stack.length === 0 && !seen.has("xmlns")) return "is not in the XHTML namespace";
    if (selfClosing) { if (stack.length === 0) closed = true; }
    else stack.push(name);
    i = j;
  }
  if (stack.length > 0) return "is not well-formed XHTML (an element is not closed)";
  if (!closed) return "is not a div (the narrative's root is a div)";
  return undefined;
}
const I_UCUM = "http://unitsofmeasure.org";
// Profiles this validator knows: the core StructureDefinitions (I_CORE_PROFILES, beside these
// helpers), and those of the guides BCDA claims, which the reference validator loads for BCDA
// data: CARIN Blue Button (its names are judged by the profile-meta rule) and US Core, on which it
// builds. Any version.
const I_PROFILE_GUIDES = ["http://hl7.org/fhir/us/carin-bb/StructureDefinition/", "http://hl7.org/fhir/us/core/StructureDefinition/"];
function I_knownProfile(url) {
  if (typeof url !== "string") return true;
  const bar = url.indexOf("|");
  const u = bar === -1 ? url : url.slice(0, bar);
  for (let i = 0; i < I_PROFILE_GUIDES.length; i++) if (u.startsWith(I_PROFILE_GUIDES[i])) return true;
  return u.startsWith("http://hl7.org/fhir/StructureDefinition/") && I_CORE_PROFILES.has(u.slice(40));
}
function I_profilesKnown(list) {
  if (!Array.isArray(list)) return true;
  for (let i = 0; i < list.length; i++) if (!I_knownProfile(list[i])) return false;
  return true;
}
// A Coding of a complete HL7 code system (I_CODE_SYSTEMS, defined beside these helpers: url ->
// code -> [display, designations…], empty for a concept without a display): false when its code is
// not one of the system's. A display the concept does not give raises the warning (I_WARN), as the
// reference validator warns of a wrong display. Codings without a display cost nothing more, and
// I_CODE_PREFIXES (the characters at 7 and 20 of those systems' urls, as one number) turns most
// other systems away without hashing their url: https://…, http://hl7.org/fhir/us/… (guides).
function I_coding(system, code, display) {
  if (!I_CODE_PREFIXES.has(system.charCodeAt(7) * 65536 + system.charCodeAt(20))) return true;
  const codes = I_CODE_SYSTEMS.get(system);
  if (codes === undefined) return true;
  const names = codes.get(code);
  if (names === undefined) return false;
  if (display !== undefined && names.length !== 0 && display !== names[0] && !I_displayOk(display, names)) I_WARN = true;
  return true;
}
// Is the display one of the concept's display and designations (in any language)? Compared as the
// HL7 validator compares them (Java's equalsIgnoreCase): case aside, exactly, whitespace included.
function I_displayOk(display, names) {
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    if (n.length === display.length &&
      (n === display || n.toLowerCase() === display.toLowerCase() || n.toUpperCase() === display.toUpperCase()))
      return true;
  }
  return false;
}
// obs-7 (Observation): with a value[x], no component's code has a coding equal to one of the
// Observation's own (FHIRPath's intersect compares codings as wholes: every child, recursively;
// %resource is the Observation itself, contained or not). The first such component, or -1.
function I_observation7At(o) {
  const code = o.code;
  const own = typeof code === "object" && code !== null && Array.isArray(code.coding) ? code.coding : undefined;
  if (own === undefined || !Array.isArray(o.component)) return -1;
  let value = false;
  for (const k in o)
    if (k.startsWith("value") || k.startsWith("_value")) {
      value = true;
      break;
    }
  if (!value) return -1;
  for (let i = 0; i < o.component.length; i++) {
    const c = o.component[i];
    const cc = typeof c === "object" && c !== null && typeof c.code === "object" && c.code !== null ? c.code.coding : undefined;
    if (!Array.isArray(cc)) continue;
    for (let j = 0; j < cc.length; j++)
      for (let k = 0; k < own.length; k++) if (cc[j] !== null && own[k] !== null && I_jsonEqual(cc[j], own[k])) return i;
  }
  return -1;
}
// Two parsed JSON values with the same content (objects: the same keys, in any order).
function I_jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!I_jsonEqual(a[i], b[i])) return false;
    return true;
  }
  let n = 0;
  for (const k in a) {
    n++;
    if (!Object.prototype.hasOwnProperty.call(b, k) || !I_jsonEqual(a[k], b[k])) return false;
  }
  for (const k in b) n--;
  return n === 0;
}
// Generated invariants: does the path (per step, the JSON keys it may take) reach anything?
function I_exists(x, path, i) {
  if (i === path.length) return true;
  if (Array.isArray(x)) {
    for (let j = 0; j < x.length; j++) if (x[j] !== null && I_exists(x[j], path, i)) return true;
    return false;
  }
  if (typeof x !== "object" || x === null) return false;
  const keys = path[i];
  for (let j = 0; j < keys.length; j++) if (x[keys[j]] !== undefined && I_exists(x[keys[j]], path, i + 1)) return true;
  return false;
}
// Generated invariants: count() of an element given by its value and (for primitives) its _element.
function I_count(v, element) {
  const x = v !== undefined ? v : element;
  return x === undefined ? 0 : Array.isArray(x) ? x.length : 1;
}
// cnt-3: a Count is in UCUM's unit "1" and a whole number (the parsed number: "1.0" reads as 1).
function I_count3(o) {
  const code = o.code !== undefined || o._code !== undefined;
  const value = o.value !== undefined || o._value !== undefined;
  const system = o.system !== undefined || o._system !== undefined;
  return (code || !value) && (!system || o.system === I_UCUM) && (!code || o.code === "1") &&
    (typeof o.value !== "number" || Number.isInteger(o.value));
}
// tim-9: an offset needs a when, and none of C, CM, CD, CV (meals, whose offset makes no sense).
function I_timing9(o) {
  if (o.offset === undefined && o._offset === undefined) return true;
  if (o.when === undefined && o._when === undefined) return false;
  const when = Array.isArray(o.when) ? o.when : [];
  for (let i = 0; i < when.length; i++) {
    const w = when[i];
    if (w === "C" || w === "CM" || w === "CD" || w === "CV") return false;
  }
  return true;
}
// org-3, org-2: an Organization's telecom and address are never of use "home".
function I_organizationProblem(o) {
  for (const [key, rule] of [["telecom", "org-3"], ["address", "org-2"]]) {
    const list = o[key];
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++)
      if (list[i] !== null && typeof list[i] === "object" && list[i].use === "home")
        return [rule, "." + key + "[" + i + "]", "an organization's " + key + " is never of use home"];
  }
  return undefined;
}
// isDistinct() over the values f gives for the items of a list: the index of the first repeat, or -1.
function I_repeatAt(list, f) {
  if (!Array.isArray(list)) return -1;
  const seen = new Set();
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x === null || typeof x !== "object") continue;
    const v = f(x);
    if (v === undefined) continue;
    if (seen.has(v)) return i;
    seen.add(v);
  }
  return -1;
}
// A date, dateTime or instant that matched its pattern: is its day in its month?
function I_calendar(v) {
  if (v.length < 10) return true;
  const d = (v.charCodeAt(8) - 48) * 10 + v.charCodeAt(9) - 48;
  if (d <= 28) return true;
  const m = (v.charCodeAt(5) - 48) * 10 + v.charCodeAt(6) - 48;
  if (m !== 2) return d <= (m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);
  const y = +v.slice(0, 4);
  return d === 29 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}
// A string value starting or ending with whitespace sets I_WARN; always true (only a warning).
function I_edges(v) {
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(v.length - 1);
  if (a === 32 || a === 9 || a === 10 || a === 13 || b === 32 || b === 9 || b === 10 || b === 13) I_WARN = true;
  return true;
}
// An element object whose only member is "id" (ele-1 needs a value beside it).
function I_onlyId(x) {
  for (const k in x) if (k !== "id") return false;
  return true;
}
// A primitive array's item i is a value (not null, not missing).
function I_valueAt(a, i) {
  return Array.isArray(a) && a[i] !== null && a[i] !== undefined;
}
// The "_x" array's item i carries something beside an id (so a null value at i is allowed).
function I_elementAt(a, i) {
  if (!Array.isArray(a)) return false;
  const x = a[i];
  return typeof x === "object" && x !== null && !I_onlyId(x);
}
// Reference.reference: no whitespace; local references are remembered for I_scope.
function I_reference(r, clean) {
  if (clean ? r.indexOf(" ") !== -1 : I_WS.test(r)) return false;
  if (r.charCodeAt(0) === 35) I_LOCAL.push(r);
  return true;
}
// An absolute URI: a scheme (letter, then letters, digits, + - .) and a colon.
function I_absolute(u) {
  const c0 = u.charCodeAt(0);
  if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) return false;
  for (let i = 1; i < u.length; i++) {
    const c = u.charCodeAt(i);
    if (c === 58) return true;
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46))
      return false;
  }
  return false;
}
// per-1, judged only where the order is certain: both full dateTimes (R4 requires their zone) as
// instants; both dates by day; a date and a dateTime when their days are more than a day apart
// (a zone can move a day by one). Coarser precisions pass.
function I_period(start, end) {
  if (typeof start !== "string" || typeof end !== "string") return true;
  const n = start.length;
  const m = end.length;
  if (n < 10 || m < 10) return true;
  if (n === 10 && m === 10) return start <= end;
  if (n > 10 && m > 10) return !(Date.parse(start) > Date.parse(end));
  return !(Date.parse(start.slice(0, 10)) - Date.parse(end.slice(0, 10)) > 86400000);
}
// dom-2…dom-5 and ref-1 for a resource that owns its local references (not itself contained):
// "mark" is where its references begin in I_LOCAL. True when every rule holds.
function I_scope(o, mark) {
  const refs = I_LOCAL.slice(mark);
  I_LOCAL.length = mark;
  return I_scopeProblem(o, refs) === undefined;
}
// The first broken rule as [rule, path below the resource, message], or undefined.
function I_scopeProblem(o, refs) {
  const contained = Array.isArray(o.contained) ? o.contained : [];
  const ids = new Set();
  for (let i = 0; i < contained.length; i++) {
    const c = contained[i];
    if (typeof c !== "object" || c === null) continue;
    if (c.contained !== undefined) return ["dom-2", ".contained[" + i + "].contained", "a contained resource holds contained resources"];
    const meta = c.meta;
    if (typeof meta === "object" && meta !== null) {
      if (meta.versionId !== undefined) return ["dom-4", ".contained[" + i + "].meta.versionId", "a contained resource has no meta.versionId"];
      if (meta.lastUpdated !== undefined) return ["dom-4", ".contained[" + i + "].meta.lastUpdated", "a contained resource has no meta.lastUpdated"];
      if (meta.security !== undefined) return ["dom-5", ".contained[" + i + "].meta.security", "a contained resource has no security label"];
    }
    if (typeof c.id === "string") ids.add(c.id);
  }
  for (const r of refs)
    if (r.length > 1 && !ids.has(r.slice(1)))
      return ["ref-1", I_findReference(o, r), "the local reference names no contained resource"];
  for (let i = 0; i < contained.length; i++) {
    const c = contained[i];
    if (typeof c !== "object" || c === null) continue;
    const local = typeof c.id === "string" ? "#" + c.id : undefined;
    if (local !== undefined && refs.indexOf(local) >= 0) continue;
    // Rarer forms dom-3 accepts: a canonical/uri/url "#id" anywhere, or the contained resource referring to its container.
    if ((local !== undefined && I_hasString(o, local)) || I_hasString(c, "#")) continue;
    return ["dom-3", ".contained[" + i + "]", local === undefined
      ? "a contained resource has no id, so nothing can reference it"
      : "a contained resource is referenced by nothing in the resource"];
  }
  return undefined;
}
// Bundle bdl-3, bdl-4, bdl-7, bdl-11, bdl-12 (the others are generated): [rule, path, message] or undefined.
function I_bundleProblem(o) {
  const type = o.type;
  const entries = Array.isArray(o.entry) ? o.entry : [];
  const needsRequest = type === "batch" || type === "transaction" || type === "history";
  const needsResponse = type === "batch-response" || type === "transaction-response" || type === "history";
  const seen = new Set();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (typeof e !== "object" || e === null) continue;
    const at = ".entry[" + i + "]";
    if ((e.request !== undefined) !== needsRequest)
      return ["bdl-3", at + ".request", needsRequest ? "an entry of a batch, transaction or history Bundle has a request" : "only a batch, transaction or history Bundle's entries have a request"];
    if ((e.response !== undefined) !== needsResponse)
      return ["bdl-4", at + ".response", needsResponse ? "an entry of a batch-response, transaction-response or history Bundle has a response" : "only a batch-response, transaction-response or history Bundle's entries have a response"];
    if (typeof e.fullUrl === "string" && type !== "history") {
      const r = e.resource;
      const version = typeof r === "object" && r !== null && typeof r.meta === "object" && r.meta !== null ? r.meta.versionId : undefined;
      const key = e.fullUrl + "|" + (version === undefined ? "" : version);
      if (seen.has(key)) return ["bdl-7", at + ".fullUrl", "two entries have the same fullUrl (and versionId)"];
      seen.add(key);
    }
  }
  const first = entries[0];
  const firstType = typeof first === "object" && first !== null && typeof first.resource === "object" && first.resource !== null ? first.resource.resourceType : undefined;
  if (type === "document" && firstType !== "Composition")
    return ["bdl-11", ".entry", "a document Bundle's first resource is a Composition"];
  if (type === "message" && firstType !== "MessageHeader")
    return ["bdl-12", ".entry", "a message Bundle's first resource is a MessageHeader"];
  return undefined;
}
// rng-2: low <= high, judged only where the two quantities are comparable (same code and system,
// or same unit, or neither).
function I_range(low, high) {
  if (typeof low !== "object" || low === null || typeof high !== "object" || high === null) return true;
  if (typeof low.value !== "number" || typeof high.value !== "number") return true;
  const same = low.code !== undefined || high.code !== undefined
    ? low.code === high.code && low.system === high.system
    : low.unit === high.unit;
  return !same || low.value <= high.value;
}
// CapabilityStatement cpb-7, cpb-9, cpb-12 (the others are generated): [rule, path, message] or undefined.
function I_capabilityProblem(o) {
  const doc = I_repeatAt(o.document, (d) => String(d.profile) + "|" + String(d.mode));
  if (doc >= 0) return ["cpb-7", ".document[" + doc + "]", "a document profile is described once per mode"];
  const rests = Array.isArray(o.rest) ? o.rest : [];
  for (let i = 0; i < rests.length; i++) {
    const r = rests[i];
    if (typeof r !== "object" || r === null) continue;
    const resources = Array.isArray(r.resource) ? r.resource : [];
    const twice = I_repeatAt(resources, (x) => x.type);
    if (twice >= 0)
      return ["cpb-9", ".rest[" + i + "].resource[" + twice + "].type", "a resource type is described once per rest mode"];
    for (let j = 0; j < resources.length; j++) {
      const x = resources[j];
      const param = x !== null && typeof x === "object" ? I_repeatAt(x.searchParam, (p) => p.name) : -1;
      if (param >= 0)
        return ["cpb-12", ".rest[" + i + "].resource[" + j + "].searchParam[" + param + "].name", "a search parameter name is used once per resource"];
    }
  }
  return undefined;
}
function I_bundle(o) {
  return I_bundleProblem(o) === undefined;
}
function I_hasString(x, s) {
  if (x === s) return true;
  if (typeof x !== "object" || x === null) return false;
  for (const k in x) if (I_hasString(x[k], s)) return true;
  return false;
}
// Path (below the resource) of the first Reference.reference equal to r.
function I_findReference(x, r) {
  if (typeof x !== "object" || x === null) return undefined;
  if (x.reference === r) return ".reference";
  for (const k in x) {
    const below = I_findReference(x[k], r);
    if (below !== undefined) return (Array.isArray(x) ? "[" + k + "]" : "." + k) + below;
  }
  return undefined;
}
`;

/** The helpers, evaluated in-process, for the explainer and the tests. */
export interface InvariantHelpers {
  CURRENCIES: ReadonlySet<string>;
  I_reset(): void;
  I_calendar(v: string): boolean;
  I_onlyId(x: object): boolean;
  I_valueAt(a: unknown, i: number): boolean;
  I_elementAt(a: unknown, i: number): boolean;
  I_reference(r: string, clean: boolean): boolean;
  I_absolute(u: string): boolean;
  I_period(start: unknown, end: unknown): boolean;
  I_scopeProblem(o: Record<string, unknown>, refs: string[]): [string, string, string] | undefined;
  I_bundleProblem(o: Record<string, unknown>): [string, string, string] | undefined;
  I_range(low: unknown, high: unknown): boolean;
  I_capabilityProblem(o: Record<string, unknown>): [string, string, string] | undefined;
  I_organizationProblem(o: Record<string, unknown>): [string, string, string] | undefined;
  I_count3(o: Record<string, unknown>): boolean;
  I_timing9(o: Record<string, unknown>): boolean;
  I_exists(x: unknown, path: string[][], i: number): boolean;
  I_count(v: unknown, element?: unknown): number;
  I_knownProfile(url: unknown): boolean;
  I_xhtmlProblem(div: unknown): string | undefined;
  I_displayOk(display: string, names: readonly string[]): boolean;
  I_observation7At(o: Record<string, unknown>): number;
  I_jsonEqual(a: unknown, b: unknown): boolean;
}

let helpers: InvariantHelpers | undefined;

/**
 * The helpers, evaluated once. `coreProfiles`: the ids of the core StructureDefinitions (prepare.ts
 * puts them on Meta), which I_knownProfile reads; the generated module defines them the same way.
 */
export function loadInvariantHelpers(coreProfiles: readonly string[] = []): InvariantHelpers {
  if (!helpers) {
    const names = [
      'CURRENCIES',
      'I_reset',
      'I_calendar',
      'I_onlyId',
      'I_valueAt',
      'I_elementAt',
      'I_reference',
      'I_absolute',
      'I_period',
      'I_scopeProblem',
      'I_bundleProblem',
      'I_range',
      'I_capabilityProblem',
      'I_organizationProblem',
      'I_count3',
      'I_timing9',
      'I_exists',
      'I_count',
      'I_knownProfile',
      'I_xhtmlProblem',
      'I_displayOk',
      'I_observation7At',
      'I_jsonEqual',
    ];
    // Our own constant source, evaluated once.
    const make = new Function('I_CORE_PROFILES', `${INVARIANT_SOURCE}\nreturn { ${names.join(', ')} };`) as (
      core: ReadonlySet<string>,
    ) => InvariantHelpers;
    helpers = make(new Set(coreProfiles));
  }
  return helpers;
}
