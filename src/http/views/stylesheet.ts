/**
 * The one stylesheet of the pages. Served from `/assets/` under a name carrying its hash (see assets.ts), so it
 * can be cached for good; the Content-Security-Policy allows styles from the app's own origin only.
 *
 * Status is never told by colour alone: every badge also carries a symbol and a word.
 */
export const STYLESHEET = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1b1f24;--muted:#57606a;--line:#d8dee4;--accent:#0b5cad;
--pass:#116329;--pass-bg:#dafbe1;--warn:#7d4e00;--warn-bg:#fff3cd;--fail:#a40e26;--fail-bg:#ffe1e4;
--info:#3b4754;--info-bg:#eaeef2;--unknown:#6639ba;--unknown-bg:#f0e8ff;--radius:10px;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;line-height:1.5;color:var(--ink);background:var(--bg)}
*{box-sizing:border-box}
body{margin:0}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid #ffb000;outline-offset:2px}
.offscreen{position:absolute;left:-9999px;top:0}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
.skip:focus{left:1rem}
header.site{background:#14233a;color:#fff}
header.site .bar{max-width:68rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
header.site a{color:#fff;text-decoration:none}
header.site .brand{font-weight:700;font-size:1.15rem;letter-spacing:.02em}
header.site nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.95rem}
header.site nav a{padding:.25rem 0;border-bottom:2px solid transparent}
header.site nav a:hover,header.site nav a[aria-current=page]{border-bottom-color:#8cc4ff}
main{max-width:68rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.6rem;margin:.25rem 0 1rem;line-height:1.25}
h2{font-size:1.2rem;margin:0 0 .5rem}
h3{font-size:1rem;margin:1rem 0 .35rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1rem 1.25rem;margin:0 0 1rem}
.muted{color:var(--muted)}
.small{font-size:.875rem}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.875rem}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f5f7;border:1px solid var(--line);border-radius:6px;padding:.75rem;margin:.25rem 0;max-height:32rem;overflow:auto}
.address{font-size:1.25rem;font-weight:600;word-break:break-all;background:#f3f5f7;border:1px dashed #8c959f;border-radius:6px;padding:.5rem .75rem;display:inline-block}
.banner{border-radius:var(--radius);padding:1rem 1.25rem;margin:0 0 1rem;border:2px solid}
.banner h1{margin:0 0 .25rem;font-size:1.5rem}
.banner.trusted{background:var(--pass-bg);border-color:var(--pass);color:var(--pass)}
.banner.low{background:var(--warn-bg);border-color:#bf8700;color:var(--warn)}
.banner.untrusted{background:var(--fail-bg);border-color:var(--fail);color:var(--fail)}
.banner.waiting{background:var(--info-bg);border-color:#8c959f;color:var(--info)}
.banner .meta{color:var(--ink);margin:0}
.banner ol{color:var(--ink);margin:.5rem 0 0;padding-left:1.25rem}
.banner li{margin:.35rem 0}
.banner .remedy{display:block;font-weight:400}
.glance ul{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem;padding:0;margin:0 0 1rem}
.chip{display:inline-flex;gap:.35rem;align-items:center;padding:.3rem .75rem;border-radius:999px;border:1px solid;font-weight:600;font-size:.9rem;text-decoration:none}
.chip.pass{color:var(--pass);background:var(--pass-bg);border-color:#4ac26b}
.chip.warn{color:var(--warn);background:var(--warn-bg);border-color:#d4a72c}
.chip.fail{color:var(--fail);background:var(--fail-bg);border-color:#ff8182}
.chip.info{color:var(--info);background:var(--info-bg);border-color:#afb8c1}
.chip.unknown{color:var(--unknown);background:var(--unknown-bg);border-color:#c297ff}
.badge{display:inline-flex;align-items:center;gap:.3rem;font-weight:600;font-size:.85rem;border-radius:999px;padding:.1rem .6rem;border:1px solid;white-space:nowrap}
.badge.pass{color:var(--pass);background:var(--pass-bg);border-color:#4ac26b}
.badge.warn{color:var(--warn);background:var(--warn-bg);border-color:#d4a72c}
.badge.fail{color:var(--fail);background:var(--fail-bg);border-color:#ff8182}
.badge.info{color:var(--info);background:var(--info-bg);border-color:#afb8c1}
.badge.unknown{color:var(--unknown);background:var(--unknown-bg);border-color:#c297ff}
.sections{display:grid;gap:1rem}
.section{background:var(--card);border:1px solid var(--line);border-left-width:6px;border-radius:var(--radius);padding:1rem 1.25rem}
.section.pass{border-left-color:#2da44e}.section.warn{border-left-color:#d4a72c}.section.fail{border-left-color:#cf222e}
.section.info{border-left-color:#8c959f}.section.unknown{border-left-color:#8250df}
.section-head{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}
.section-head h2{margin:0}
.token{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;color:var(--muted)}
dl.values{display:grid;grid-template-columns:minmax(8rem,14rem) 1fr;gap:.25rem 1rem;margin:.75rem 0}
dl.values dt{color:var(--muted)}
dl.values dd{margin:0;overflow-wrap:anywhere}
.rule{font-size:.9rem;color:var(--muted);margin:.5rem 0}
.finding{margin:.5rem 0;padding:.5rem .75rem;background:#f6f8fa;border-radius:6px}
.finding p{margin:.2rem 0}
.fix{margin:.4rem 0}
.record{display:flex;gap:.5rem;align-items:flex-start;margin:.35rem 0}
.record code{flex:1;display:block;background:#f3f5f7;border:1px solid var(--line);border-radius:6px;padding:.4rem .6rem;overflow-wrap:anywhere}
button,.button{font:inherit;font-size:.9rem;cursor:pointer;border:1px solid #8c959f;background:#fff;color:var(--ink);border-radius:6px;padding:.35rem .8rem;text-decoration:none;display:inline-block}
button.primary,.button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.copy{flex:none}
button.copy[hidden]{display:none}
form.inline{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end}
label{display:block;font-weight:600;font-size:.9rem}
input,select{font:inherit;padding:.4rem .55rem;border:1px solid #8c959f;border-radius:6px;background:#fff;min-width:0;width:100%}
.field{flex:1 1 12rem;min-width:10rem}
.field .hint{font-weight:400;color:var(--muted);font-size:.8rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.table-wrap{overflow-x:auto}
tr.open-row td:first-child a{font-weight:600}
.list-messages{list-style:none;padding:0;margin:0}
.list-messages li{padding:.4rem 0;border-bottom:1px solid var(--line)}
.steps{padding-left:1.25rem}
.steps li{margin:.4rem 0}
.error{color:var(--fail);font-weight:600}
.spinner{display:inline-block;width:1rem;height:1rem;border:3px solid #afb8c1;border-top-color:var(--accent);border-radius:50%;animation:spin 1s linear infinite;vertical-align:-.15rem;margin-right:.4rem}
@keyframes spin{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.spinner{animation:none}}
footer.site{max-width:68rem;margin:0 auto;padding:0 1rem 2rem;color:var(--muted);font-size:.85rem}
@media (max-width:40rem){
 main{padding:1rem .75rem 2rem}
 header.site .bar{padding:.5rem .75rem;gap:.25rem 1rem}
 header.site nav{gap:.1rem .9rem;font-size:.9rem}
 .banner{padding:.75rem .85rem}
 .banner h1{font-size:1.3rem}
 .banner ol{font-size:.95rem}
 h1{font-size:1.3rem}
 .card,.section{padding:.85rem}
 dl.values{grid-template-columns:1fr}
 dl.values dd{margin-bottom:.4rem}
 .record{flex-direction:column}
 .record code{width:100%}
 table.stack thead{display:none}
 table.stack tr{display:block;border-bottom:1px solid var(--line);padding:.35rem 0}
 table.stack td{display:block;border:0;padding:.1rem 0}
 table.stack td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}
 td.num{text-align:left}
}
`;
