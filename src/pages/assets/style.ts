// The pages' one stylesheet: system fonts only (nothing to fetch), light and dark themes from
// prefers-color-scheme, colours chosen for WCAG AA contrast in both, and a layout that fits 375 px.
export const CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#545d68;--line:#d0d7de;--link:#0550ae;--card:#f6f8fa;--pos:#0a6b2d;--neg:#a40e26;--bar:#7a3ee0;--hi:28 100%;--lo:100%;--span:-42%}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9ea7b3;--line:#30363d;--link:#6cb6ff;--card:#161b22;--pos:#56d364;--neg:#ff8182;--bar:#b392f0;--lo:8%;--span:24%}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;overflow-wrap:anywhere}
a{color:var(--link)}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--bg);padding:4px 8px;z-index:9}
.top{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;justify-content:space-between;padding:10px 16px;border-bottom:1px solid var(--line)}
.top nav{display:flex;flex-wrap:wrap;gap:4px 14px;align-items:center}
.brand{font-weight:700;color:var(--fg);text-decoration:none}
main{max-width:1100px;margin:0 auto;padding:16px}
.foot{max-width:1100px;margin:24px auto;padding:0 16px;color:var(--muted);font-size:13px}
h1{font-size:1.5rem;margin:.2em 0 .4em;line-height:1.25}h2{font-size:1.15rem;margin:1.4em 0 .5em}
.muted{color:var(--muted)}.small{font-size:13px}
.inline{display:inline-flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0}
button,input,select,textarea{font:inherit;color:inherit}
input,select,textarea{background:var(--bg);border:1px solid var(--muted);border-radius:6px;padding:6px 8px;max-width:100%}
button{background:var(--link);color:var(--bg);border:0;border-radius:6px;padding:7px 14px;cursor:pointer}
button:disabled{opacity:.55;cursor:not-allowed}
button.link{background:none;color:var(--link);padding:0;text-decoration:underline}
label{display:block;font-weight:600;margin:.6em 0 .2em}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin:10px 0}
.grid{display:grid;gap:12px;grid-template-columns:repeat(auto-fit,minmax(min(100%,300px),1fr))}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:13px;color:var(--muted);overflow-wrap:normal;white-space:nowrap}
.card>h2:first-child{margin-top:0}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.stats{display:flex;flex-wrap:wrap;gap:6px 18px;margin:6px 0}.stats div{white-space:nowrap}
.tags,.plain{list-style:none;padding:0;margin:4px 0}
.tags a,.tag{display:inline-block;border:1px solid var(--line);border-radius:99px;padding:0 8px;margin:2px 4px 2px 0;font-size:13px}
.pos{color:var(--pos)}.neg{color:var(--neg)}
ol.logits{list-style:none;padding:0;margin:0;font-family:ui-monospace,monospace;font-size:13px}ol.logits li{display:flex;justify-content:space-between;gap:8px}
.acts{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px;white-space:pre-wrap;word-break:break-all;line-height:1.7;margin:0}
.act{border-bottom:1px solid var(--line);padding:6px 0}.act:last-child{border:0}
.t{background:hsl(var(--hi) calc(var(--lo) + var(--span) * var(--a)));border-radius:2px;cursor:default}
.t.max{outline:2px solid var(--fg);outline-offset:0;font-weight:700}.t:focus-visible{outline:3px solid var(--link);outline-offset:1px}
label.check{display:inline;font-weight:400}main:has(#show-values:checked) .t::after{content:"\\00a0" attr(data-v);font-size:10px;font-weight:400;vertical-align:super}
#tip .raw{opacity:.8;margin-left:6px}
#tip{position:absolute;z-index:10;background:var(--fg);color:var(--bg);padding:2px 8px;border-radius:4px;font-size:13px;pointer-events:none;white-space:nowrap}
svg.hist{width:100%;height:90px;color:var(--bar)}
.pager{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:10px 0}
.error{border-left:4px solid var(--neg);padding:8px 12px;background:var(--card)}
.out{white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:13px;min-height:3em}
.row{display:flex;flex-wrap:wrap;gap:8px;align-items:end}.row>div{flex:1 1 140px;min-width:0}.row input,.row select{width:100%}
textarea{width:100%}
`;
