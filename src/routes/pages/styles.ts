/**
 * The pages' one stylesheet, served by the Worker at STYLESHEET_PATH. Plain and readable: system
 * fonts, one column up to 44rem, colours with at least 4.5:1 contrast, visible focus, and
 * nothing wider than the screen at 320 px (long values wrap).
 */
export const STYLESHEET = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f7f9}
a{color:#0b57d0}
a:focus-visible,button:focus-visible,input:focus-visible,summary:focus-visible,main:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem}
.skip:focus{left:0;z-index:1}
header.site{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;background:#fff;border-bottom:1px solid #d5d9e0}
.brand{font-weight:700;font-size:1.1rem;text-decoration:none;color:#1b1f24}
nav{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
main{max-width:44rem;margin:0 auto;padding:1rem}
main.narrow{max-width:32rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:0 0 .75rem}
section,.card{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:1rem;margin:0 0 1rem}
section>p:first-child{margin-top:0}
section>p:last-child{margin-bottom:0}
.field{margin:0 0 .9rem}
label{display:block;font-weight:600;margin:0 0 .25rem}
.optional{font-weight:400;color:#525a66}
.hint{margin:0 0 .25rem;color:#525a66;font-size:.9rem}
section>.hint,form>.hint{margin-bottom:.75rem}
input[type=text],input[type=email],input[type=password],input[type=tel]{width:100%;font:inherit;padding:.55rem .6rem;border:1px solid #8a929e;border-radius:6px;background:#fff;color:inherit}
input[type=file]{max-width:100%;font:inherit}
input[type=file]::file-selector-button{font:inherit;cursor:pointer;margin-right:.75rem;padding:.4rem .9rem;border-radius:6px;border:1px solid #0b57d0;background:#fff;color:#0b57d0}
.invalid input{border-color:#b3261e;border-width:2px}
.error{color:#b3261e;margin:.25rem 0 0;font-size:.95rem}
.alert{border-left:4px solid #b3261e;background:#fdecea;padding:.6rem .8rem;margin:0 0 1rem}
.notice{border-left:4px solid #146c2e;background:#e7f4ea;padding:.6rem .8rem;margin:0 0 1rem}
.check{display:flex;gap:.5rem;align-items:center;margin:0 0 .9rem;font-weight:400}
.check input{width:1.1rem;height:1.1rem}
button{font:inherit;cursor:pointer;padding:.55rem 1rem;border-radius:6px;border:1px solid #0b57d0;background:#0b57d0;color:#fff}
button.secondary{background:#fff;color:#0b57d0}
button.danger{background:#b3261e;border-color:#b3261e}
button.link{background:none;border:none;padding:0;color:#0b57d0;text-decoration:underline}
form.inline{display:inline}
dl{display:grid;grid-template-columns:minmax(8.5rem,max-content) minmax(0,1fr);gap:.35rem 1rem;margin:0 0 1rem}
dt{font-weight:600;color:#3b424c}
dd{margin:0;overflow-wrap:anywhere}
ul.rows{list-style:none;margin:0;padding:0}
ul.rows li{border-top:1px solid #e3e6eb;padding:.6rem 0;overflow-wrap:anywhere}
ul.rows li:first-child{border-top:none}
ul.rows form{margin-top:.5rem}
time{white-space:nowrap}
.meta{color:#525a66;font-size:.92rem}
.badge{display:inline-block;font-size:.8rem;font-weight:600;padding:0 .45rem;border-radius:999px;background:#e3ecfb;color:#0b3d91;margin-left:.35rem}
.badge.warn{background:#fdf1d7;color:#6b4500}
img.photo{width:12rem;max-width:100%;height:auto;border-radius:6px;display:block;margin:0 0 1rem}
figure.qr{width:12rem;max-width:100%;margin:0 0 1rem;padding:.5rem;background:#fff;border:1px solid #d5d9e0;border-radius:6px}
figure.qr svg{display:block;width:100%;height:auto}
code.secret{display:inline-block;max-width:100%;font-size:1.1rem;font-weight:600;letter-spacing:.06em;word-spacing:.15em;padding:.2rem .5rem;border-radius:4px;background:#eef1f5;color:#1b1f24;overflow-wrap:anywhere}
ul.codes{list-style:none;margin:0 0 1rem;padding:0;display:grid;grid-template-columns:repeat(2,max-content);gap:.5rem 1.5rem}
ul.codes code{display:block;font-size:1.05rem;letter-spacing:.04em;padding:.3rem .6rem;border:1px solid #d5d9e0;border-radius:4px;background:#f6f7f9;white-space:nowrap}
details summary{cursor:pointer;font-weight:600;color:#0b57d0}
details[open] summary{margin-bottom:.75rem}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin-top:.5rem}
@media (max-width:480px){main{padding:1rem .75rem}section,.card{padding:.85rem}ul.codes{grid-template-columns:max-content}dl{grid-template-columns:minmax(0,1fr)}dt{margin-top:.4rem}dt:first-child{margin-top:0}}
`.trim();

/** Versioned by content, so it can be cached for a long time and still change with a deploy. */
export const STYLESHEET_PATH = `/pages.css?v=${fnv1a(STYLESHEET)}`;

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
