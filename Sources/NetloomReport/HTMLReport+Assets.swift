extension HTMLReport {
    /// Colours are variables, swapped by `prefers-color-scheme`; print uses the light set and
    /// lets the diagram shrink to the page.
    static let styleSheet = """
    :root{--bg:#fff;--fg:#1b1f24;--muted:#5b6470;--line:#d0d7de;--panel:#f6f8fa;--vpc:#eef4ff;--az:#ffffff;\
    --public:#e6f4ea;--private:#fff4e0;--isolated:#f1ecfb;--item:#ffffff;--accent:#0969da;--nat:#c25e00;--endpoint:#1a7f37;\
    --critical:#a40e26;--high:#cf222e;--medium:#9a6700;--low:#0969da;--ok:#1a7f37;--focus:#bf3989;--lb:#ddf4ff}
    @media (prefers-color-scheme: dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--panel:#161b22;--vpc:#111a2b;\
    --az:#0d1117;--public:#12261a;--private:#2a1f0c;--isolated:#1e1830;--item:#161b22;--accent:#4493f8;--nat:#f0883e;--endpoint:#3fb950;\
    --critical:#ff7b72;--high:#f85149;--medium:#d29922;--low:#4493f8;--ok:#3fb950;--focus:#f778ba;--lb:#0c2d4a}}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
    header,main,footer,nav{padding:0 24px}
    header{padding-top:16px}
    h1{margin:0 0 4px;font-size:24px}
    h2{border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:32px}
    nav{position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);padding-top:6px;padding-bottom:6px;z-index:2}
    nav a{margin-right:16px;color:var(--accent)}
    code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
    .muted{color:var(--muted)}
    .ok{color:var(--ok)}
    .warn{color:var(--medium)}
    .big{font-size:22px;font-weight:600}
    .cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
    .card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:120px}
    .card.sev-critical .big{color:var(--critical)}.card.sev-high .big{color:var(--high)}.card.sev-medium .big{color:var(--medium)}.card.sev-low .big{color:var(--low)}
    .card.ok .big{color:var(--ok)}
    .sev-text-critical{color:var(--critical)}.sev-text-high{color:var(--high)}.sev-text-medium{color:var(--medium)}.sev-text-low{color:var(--low)}
    table{border-collapse:collapse;width:100%;margin:8px 0}
    th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
    thead th{background:var(--panel)}
    td.num,th.num{text-align:right}
    .badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
    .badge.sev-critical{background:var(--critical)}.badge.sev-high{background:var(--high)}.badge.sev-medium{background:var(--medium)}.badge.sev-low{background:var(--low)}
    .badge.pass,.badge.action-create{background:var(--ok)}.badge.fail,.badge.action-delete{background:var(--high)}
    .badge.action-update{background:var(--medium)}.badge.action-replace{background:var(--nat)}
    @media (prefers-color-scheme: dark){.badge{color:#0d1117}}
    .scroll{overflow-x:auto}
    .diagram{overflow:auto;border:1px solid var(--line);border-radius:8px;background:var(--panel);max-height:80vh}
    .inspector{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:6px 10px;margin-top:6px;min-height:2.5em}
    svg.topology{display:block;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
    svg text{fill:var(--fg);font-size:12px}
    svg text.title{font-weight:600;font-size:14px}
    svg text.strong{font-weight:600}
    svg text.small{font-size:11px}
    svg text.tiny{font-size:9.5px}
    svg text.muted{fill:var(--muted)}
    svg text.center{text-anchor:middle}
    svg text.end{text-anchor:end}
    svg text.az-label{font-weight:600;fill:var(--accent)}
    svg text.tier-label{font-size:10px;letter-spacing:.08em;fill:var(--muted)}
    .vpc-box{fill:var(--vpc);stroke:var(--accent);stroke-width:1.5}
    .az-box{fill:none;stroke:var(--line);stroke-dasharray:4 3}
    .subnet-box{stroke:var(--line);stroke-width:1}
    .tier-public .subnet-box{fill:var(--public)}.tier-private .subnet-box{fill:var(--private)}.tier-isolated .subnet-box{fill:var(--isolated)}
    .item-box{fill:var(--item);stroke:var(--line)}
    .item-cluster .item-box{stroke:var(--accent);stroke-width:1.5}
    .item-nat_gateway .item-box{stroke:var(--nat);stroke-width:1.5}
    .part-box{fill:var(--panel);stroke:var(--accent)}
    .bar-track{fill:var(--line)}
    .bar-fill.bar-low{fill:var(--ok)}.bar-fill.bar-mid{fill:var(--medium)}.bar-fill.bar-high{fill:var(--high)}
    .gateway-box{fill:var(--panel);stroke:var(--accent);stroke-width:1.5}
    .internet-box{fill:var(--panel);stroke:var(--muted)}
    .lb-box{fill:var(--lb);stroke:var(--accent)}
    .endpoint-box{fill:var(--panel);stroke:var(--endpoint);stroke-width:1.5}
    .edge{fill:none;stroke-width:1.2;opacity:.75}
    .edge-internet{stroke:var(--accent)}.edge-nat{stroke:var(--nat)}.edge-endpoint{stroke:var(--endpoint)}
    .edge-lb{stroke:var(--accent);stroke-dasharray:3 3;opacity:.5}
    .arrow-internet{fill:var(--accent)}.arrow-nat{fill:var(--nat)}.arrow-endpoint{fill:var(--endpoint)}
    svg .node:hover>rect,svg .node:focus>rect{stroke:var(--focus);stroke-width:2.5}
    svg .node:focus,svg .more:focus{outline:none}
    svg .node:focus>rect{stroke-dasharray:none}
    a:focus-visible,summary:focus-visible,.diagram:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
    table.matrix{width:auto}
    .matrix td{min-width:90px;font-size:12px}
    .matrix td.open{background:color-mix(in srgb,var(--ok) 18%,transparent)}
    .matrix td.partial{background:color-mix(in srgb,var(--medium) 18%,transparent)}
    .matrix td.blocked{background:color-mix(in srgb,var(--high) 12%,transparent)}
    .matrix td.na{color:var(--muted);text-align:center}
    .matrix details[open]{min-width:320px}
    summary{cursor:pointer}
    .probe{margin-top:6px}
    ol.hops,ul.reasons{margin:4px 0;padding-left:20px}
    code.code{color:var(--high);font-weight:600}
    .bars{max-width:820px;margin:10px 0}
    .bar-row{display:flex;align-items:center;gap:8px;margin:3px 0}
    .bar-label{flex:0 0 260px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
    .bar-outer{flex:1;background:var(--panel);border:1px solid var(--line);height:14px;border-radius:3px}
    .bar{display:block;height:100%;background:var(--accent);border-radius:2px}
    .bar-value{flex:0 0 100px;text-align:right;font-variant-numeric:tabular-nums}
    footer{margin:32px 0 24px}
    @media print{nav{display:none}.diagram{max-height:none;overflow:visible;border:none}svg.topology{width:100%;height:auto}\
    section{break-inside:auto}tr{break-inside:avoid}.inspector{display:none}\
    :root{--bg:#fff;--fg:#000;--panel:#f6f8fa;--vpc:#eef4ff;--az:#fff;--public:#e6f4ea;--private:#fff4e0;--isolated:#f1ecfb;--item:#fff;--lb:#ddf4ff}}
    """

    /// Shows the hovered or focused element's address and properties in the inspector below
    /// the diagram (a `<title>` tooltip never appears for keyboard focus), and opens every
    /// `<details>` before printing.
    static let script = """
    (function(){var box=document.getElementById('inspector');if(!box)return;\
    function show(e){var el=e.target.closest&&e.target.closest('[data-address],.more');if(!el)return;\
    var t=el.querySelector('title');box.textContent=t?t.textContent:(el.getAttribute('data-address')||'');}\
    var svg=document.querySelector('svg.topology');if(svg){svg.addEventListener('mouseover',show);svg.addEventListener('focusin',show);}\
    window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true;});});})();
    """
}
