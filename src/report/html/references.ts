/**
 * A check's references as links to the exact place they name:
 *  - `bulkdata@N`: requirement N of the Bulk Data IG v2 (the requirements table): its page and section,
 *    with a text fragment on the requirement's first words where they are unique;
 *  - `seed:NNN §Section`: the BCDA documentation page the seed document was taken from, with a text
 *    fragment on the section heading;
 *  - `RFC N §x.y`: that section of the RFC.
 * Browsers without text fragments open the page (or the section); nothing else changes. Other
 * references (`behavior §…`, the project's notes on the real server) stay plain text.
 */
import { igRequirements } from './ig-requirements';

export const IG_BASE = 'http://hl7.org/fhir/uv/bulkdata/STU2/';

/** The public pages the seed documents were copied from (../shared/seeds/NNN_*.txt). */
export const SEED_PAGES: Readonly<Record<string, { url: string; title: string }>> = {
  '000': { url: 'https://bcda.cms.gov/api-documentation', title: 'BCDA API documentation' },
  '001': {
    url: 'https://bcda.cms.gov/api-documentation/access-claims-data.html',
    title: 'BCDA: How to Access Claims Data',
  },
  '002': {
    url: 'https://bcda.cms.gov/sandbox/technical-user-guide/',
    title: 'BCDA: Advanced Sandbox User Guide',
  },
  '003': {
    url: 'https://bcda.cms.gov/production/user-guide/',
    title: 'BCDA: Getting Started with BCDA in Production',
  },
};

export interface RefLink {
  /** The reference as the check states it. */
  text: string;
  href?: string;
  /** Tooltip: what the link opens. */
  title?: string;
  /** Shown after the reference, in small print. */
  note?: string;
}

/**
 * A text fragment directive (`:~:text=`) for `words`: percent-encoded, with `-`, `&` and `,`
 * escaped as the syntax requires (they separate its parts).
 */
export function textFragment(words: string): string {
  return `:~:text=${encodeURIComponent(words).replace(/-/g, '%2D')}`;
}

function igLink(ref: string, n: number): RefLink {
  const entry = igRequirements().get(n);
  if (!entry)
    return {
      text: ref,
      href: `${IG_BASE}export.html`,
      title: `FHIR Bulk Data Access IG v2, requirement ${n}`,
      note: 'Bulk Data IG STU2; not in the requirement list this report knows',
    };
  const [level, section, words] = entry;
  const [page, anchor = ''] = section.split('#');
  const fragment = anchor || words ? `#${anchor}${words ? textFragment(words) : ''}` : '';
  const where = `${page || 'index.html'}${anchor ? ` §${anchor}` : ''}`;
  return {
    text: ref,
    href: `${IG_BASE}${page || 'index.html'}${fragment}`,
    title: `FHIR Bulk Data Access IG v2, requirement ${n} (${level}), ${where}`,
    note: `Bulk Data IG STU2, ${level}, ${where}`,
  };
}

function seedLink(ref: string, seed: string, section: string): RefLink {
  const page = SEED_PAGES[seed];
  if (!page) return { text: ref, note: 'BCDA public documentation' };
  // "Start a job (Request header)": the heading is the part before the team's own precision.
  const heading = section.replace(/\s*\([^)]*\)\s*$/, '').trim();
  return {
    text: ref,
    href: heading ? `${page.url}#${textFragment(heading)}` : page.url,
    title: `${page.title}${heading ? `, section “${heading}”` : ''}`,
    note: page.title,
  };
}

/**
 * A row of a source the table gives a URL (SMART Backend Services, the IG's STU3 rows): its section
 * is `page.html#anchor` or `page.html § Heading`, a page relative to that URL.
 */
function sourceSectionLink(id: string, source: { url: string; title: string }, section: string): RefLink {
  const m = /^([\w.-]+\.html)?\s*(?:#([\w-]+)|§\s*(.+))?$/.exec(section.trim());
  if (!m) return { text: id, href: source.url, title: source.title };
  const [, page, anchor, heading] = m;
  const fragment = anchor ? `#${anchor}` : heading ? `#${textFragment(heading.trim())}` : '';
  return {
    text: id,
    href: `${new URL(page ?? '', source.url).toString()}${fragment}`,
    title: `${source.title}${heading ? `, section “${heading.trim()}”` : anchor ? ` §${anchor}` : ''}`,
  };
}

/**
 * A requirement id of the table (report.json's `requirements`), linked like the source it comes
 * from: a seed requirement to its page and section, an IG one as `bulkdata@N`, a row of another
 * source with a URL to its page and section; its statement is the note.
 */
export function requirementLink(
  id: string,
  verdict?: { source: string; section: string; level: string; statement: string },
  source?: { url?: string; title: string },
): RefLink {
  if (!verdict) return { text: id };
  const seed = /^seed-(\d{3})$/.exec(verdict.source);
  const base = seed
    ? seedLink(id, seed[1]!, verdict.section)
    : id.startsWith('bulkdata@')
      ? refLink(id)
      : source?.url
        ? sourceSectionLink(id, { url: source.url, title: source.title }, verdict.section)
        : { text: id };
  return { ...base, note: `${verdict.level}: ${verdict.statement}` };
}

export function refLink(ref: string): RefLink {
  const ig = /^bulkdata@(\d+)$/.exec(ref);
  if (ig) return igLink(ref, Number(ig[1]));
  const seed = /^seed:(\d{3})\s*(?:§\s*(.*))?$/.exec(ref);
  if (seed) return seedLink(ref, seed[1]!, seed[2] ?? '');
  const rfc = /^RFC\s*(\d+)(?:\s*§\s*([\d.]+))?$/i.exec(ref);
  if (rfc)
    return {
      text: ref,
      href: `https://www.rfc-editor.org/rfc/rfc${rfc[1]}${rfc[2] ? `#section-${rfc[2].replace(/\.$/, '')}` : ''}`,
      title: `RFC ${rfc[1]}${rfc[2] ? ` section ${rfc[2]}` : ''}`,
    };
  if (/^behaviou?r\b/.test(ref)) return { text: ref, note: 'observed behaviour of the real BCDA server' };
  return { text: ref };
}
