/**
 * The report's stylesheet, inlined into index.html (the file references nothing outside itself).
 * Text wraps between words; only long tokens (URLs, ids, commands: class url, pre) may break
 * anywhere. Wide tables scroll inside their own box, so the page itself never scrolls sideways, and
 * under 700 px the check table turns into one card per check.
 */
export const STYLE = `
:root { --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700; --skip:#6e7781; --error:#8250df; --line:#d0d7de; --soft:#f6f8fa; --ink:#1f2328; --muted:#57606a; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0; background: #fff; overflow-wrap: break-word; }
header.top { padding: 16px 24px; border-bottom: 1px solid var(--line); background: var(--soft); }
main { padding: 0 24px 40px; max-width: 1400px; }
h1 { font-size: 20px; margin: 0 0 6px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
p.lead { margin: 4px 0; color: var(--muted); max-width: 900px; }
nav.toc { display: flex; flex-wrap: wrap; gap: 4px 14px; margin-top: 6px; }
.verdict { display: inline-block; font-weight: 700; font-size: 16px; padding: 4px 12px; border-radius: 6px; color: #fff; }
.verdict.ok { background: var(--pass); } .verdict.bad { background: var(--fail); }
.counts { margin: 10px 0 4px; display: flex; gap: 8px; flex-wrap: wrap; }
.count { border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; background: #fff; cursor: pointer; font: inherit; }
.count b { font-size: 16px; margin-right: 4px; }
details.run-info { margin: 8px 0 4px; } details.run-info > summary { cursor: pointer; color: var(--muted); }
dl.meta { display: grid; grid-template-columns: max-content minmax(0, 1fr) max-content minmax(0, 1fr); gap: 2px 14px; margin: 8px 0 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; min-width: 0; }
.url, code.cmd { overflow-wrap: anywhere; }
code.cmd { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; font-size: 12px; }
.badge { display: inline-block; min-width: 44px; text-align: center; font-size: 12px; font-weight: 600; border-radius: 4px; padding: 1px 6px; color: #fff; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.warn { background: var(--warn); }
.badge.skip { background: var(--skip); } .badge.error { background: var(--error); }
.note { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px; margin: 10px 0; }
.ok-note { background: #dafbe1; border: 1px solid #4ac26b; border-radius: 6px; padding: 6px 10px; }
section.failures h2 { margin-top: 20px; }
ol.causes { list-style: none; padding: 0; margin: 8px 0; }
li.cause { border: 1px solid var(--line); border-left: 4px solid var(--fail); border-radius: 6px; padding: 8px 12px; margin: 8px 0; background: #fff; }
li.cause p { margin: 2px 0; }
.cause-head .title { font-weight: 600; }
.level { font-size: 12px; color: var(--muted); }
a.check-link { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
details.cascade { margin-top: 6px; } details.cascade > summary { cursor: pointer; color: var(--muted); }
details.cascade h4 { margin: 8px 0 2px; font-size: 13px; }
ul.cascade-list { margin: 0; padding-left: 0; list-style: none; }
ul.cascade-list li { padding: 2px 0; border-bottom: 1px dotted var(--line); }
ul.cascade-list .msg { color: var(--muted); }
.filters { display: flex; gap: 8px 12px; flex-wrap: wrap; align-items: center; margin: 8px 0; padding: 8px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; }
.filters label { white-space: nowrap; } .filters input[type=search] { width: 260px; max-width: 100%; padding: 3px 6px; }
.table-box { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--soft); position: sticky; top: 0; z-index: 1; }
tr.check, tr.exchange { cursor: pointer; } tr.check:hover, tr.exchange:hover { background: #f3f8ff; }
tr.check:focus, tr.exchange:focus { outline: 2px solid #0969da; outline-offset: -2px; }
td.url { min-width: 16em; }
td.issues { min-width: 380px; } td.issues ul { margin: 0; padding-left: 16px; }
td.id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
td.c-id { min-width: 12em; }
tr.detail > td { background: #fbfcfd; padding: 10px 14px; }
.detail h4 { margin: 10px 0 4px; font-size: 13px; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow: auto; max-height: 360px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; margin: 4px 0; }
details.exchange-box { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 4px 8px; background: #fff; }
details.exchange-box > summary { cursor: pointer; overflow-wrap: anywhere; }
.muted { color: var(--muted); } .small { font-size: 12px; }
.cov td, .cov th { text-align: center; font-size: 12px; white-space: nowrap; } .cov td.op { text-align: left; white-space: nowrap; }
.cov td.seen { background: #dafbe1; } .cov td.doc { color: var(--muted); } .cov td.undoc { background: #ffebe9; color: var(--fail); font-weight: 700; }
.legend span { display: inline-block; padding: 0 6px; margin-right: 8px; border: 1px solid var(--line); }
figure { margin: 0 0 12px; overflow-x: auto; }
svg.timeline { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; margin: 6px 0; }
svg.timeline text { font: 11px system-ui, sans-serif; fill: var(--ink); }
button.copy, button.more { font: inherit; font-size: 12px; padding: 2px 8px; cursor: pointer; }
.hidden { display: none !important; }
@media (max-width: 700px) {
  header.top { padding: 12px; }
  main { padding: 0 12px 32px; }
  dl.meta { grid-template-columns: max-content minmax(0, 1fr); }
  .filters label { white-space: normal; }
  .filters label.search { flex: 1 1 100%; } .filters input[type=search] { width: 100%; }
  /* One card per check: outcome, level and suite on a line, then the id, the title and the result. */
  #check-table thead { display: none; }
  #check-table, #check-table > tbody { display: block; }
  #check-table tr.check { display: grid; grid-template-columns: auto auto minmax(0, 1fr); gap: 2px 8px; padding: 8px 4px; border-bottom: 1px solid var(--line); }
  #check-table tr.check > td { border: 0; padding: 0; min-width: 0; }
  #check-table tr.check > td.c-id, #check-table tr.check > td.c-title, #check-table tr.check > td.c-msg { grid-column: 1 / -1; }
  #check-table td.c-area { color: var(--muted); }
  #check-table td.c-msg { color: var(--muted); }
  #check-table tr.detail, #check-table tr.detail > td { display: block; }
  tr.detail > td { padding: 8px; }
  /* A timeline shrunk to a phone's width is unreadable: keep it legible and let it scroll. */
  svg.timeline { min-width: 640px; }
}
`;
