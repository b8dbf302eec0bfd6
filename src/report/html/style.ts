/** The report's stylesheet, inlined into index.html (the file references nothing outside itself). */
export const STYLE = `
:root { --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700; --skip:#6e7781; --error:#8250df; --line:#d0d7de; --soft:#f6f8fa; --ink:#1f2328; --muted:#57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0; background: #fff; }
header.top { padding: 16px 24px; border-bottom: 1px solid var(--line); background: var(--soft); }
main { padding: 0 24px 40px; max-width: 1400px; }
h1 { font-size: 20px; margin: 0 0 6px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
p.lead { margin: 4px 0; color: var(--muted); max-width: 900px; }
nav.toc a { margin-right: 14px; }
.verdict { display: inline-block; font-weight: 700; font-size: 16px; padding: 4px 12px; border-radius: 6px; color: #fff; }
.verdict.ok { background: var(--pass); } .verdict.bad { background: var(--fail); }
.counts { margin: 10px 0 4px; display: flex; gap: 8px; flex-wrap: wrap; }
.count { border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; background: #fff; cursor: pointer; font: inherit; }
.count b { font-size: 16px; margin-right: 4px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 14px; margin: 10px 0 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; word-break: break-all; }
.badge { display: inline-block; min-width: 44px; text-align: center; font-size: 12px; font-weight: 600; border-radius: 4px; padding: 1px 6px; color: #fff; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.warn { background: var(--warn); }
.badge.skip { background: var(--skip); } .badge.error { background: var(--error); }
.note { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px; margin: 10px 0; }
.filters { display: flex; gap: 12px; flex-wrap: wrap; align-items: center; margin: 8px 0; padding: 8px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; }
.filters label { white-space: nowrap; } .filters input[type=search] { min-width: 260px; padding: 3px 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { overflow-wrap: break-word; border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--soft); position: sticky; top: 0; z-index: 1; }
tr.check, tr.exchange { cursor: pointer; } tr.check:hover, tr.exchange:hover { background: #f3f8ff; }
tr.check:focus, tr.exchange:focus { outline: 2px solid #0969da; outline-offset: -2px; }
td.wrap { overflow-wrap: anywhere; }
td.issues { min-width: 380px; } td.issues ul { margin: 0; padding-left: 16px; }
td.id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; white-space: nowrap; }
tr.detail > td { background: #fbfcfd; padding: 10px 14px; }
.detail h4 { margin: 10px 0 4px; font-size: 13px; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow: auto; max-height: 360px; white-space: pre-wrap; word-break: break-all; font-size: 12px; margin: 4px 0; }
details.exchange-box { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 4px 8px; background: #fff; }
details.exchange-box > summary { cursor: pointer; }
.muted { color: var(--muted); } .small { font-size: 12px; }
.cov td, .cov th { text-align: center; font-size: 12px; } .cov td.op { text-align: left; white-space: nowrap; }
.cov td.seen { background: #dafbe1; } .cov td.doc { color: var(--muted); } .cov td.undoc { background: #ffebe9; color: var(--fail); font-weight: 700; }
.legend span { display: inline-block; padding: 0 6px; margin-right: 8px; border: 1px solid var(--line); }
figure { margin: 0 0 12px; }
svg.timeline { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; margin: 6px 0; }
svg.timeline text { font: 11px system-ui, sans-serif; fill: var(--ink); }
button.copy, button.more { font: inherit; font-size: 12px; padding: 2px 8px; cursor: pointer; }
.hidden { display: none; }
`;
