/// The inspector page's style sheet.
enum InspectorPageStyle {
    static let css = #"""
        :root { --fg: #1d1f23; --muted: #667085; --line: #d0d5dd; --error: #c0262d; --warning: #b76e00; --info: #2e6bd6; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: #f7f8fa; }
        header { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; padding: 10px 18px; background: #111827; color: #f9fafb; }
        header h1 { font-size: 18px; margin: 0; } header h1 span { font-weight: 400; color: #9ca3af; }
        header select, header button { font: inherit; }
        .examples { display: flex; gap: 6px; align-items: center; color: #d1d5db; }
        main { display: grid; grid-template-columns: minmax(320px, 2fr) 3fr; gap: 16px; padding: 16px; }
        @media (max-width: 900px) { main { grid-template-columns: 1fr; } }
        section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; min-width: 0; }
        textarea { width: 100%; min-height: 260px; font: 12px/1.4 ui-monospace, monospace; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
        #engine { min-height: 90px; margin-top: 6px; }
        .kinds, .options { display: flex; flex-wrap: wrap; gap: 14px; align-items: center; margin: 6px 0; }
        #inspect { font: inherit; font-weight: 600; padding: 5px 16px; background: #2563eb; color: #fff; border: 0; border-radius: 6px; cursor: pointer; }
        #status { color: var(--muted); min-height: 1.4em; } #status.error { color: var(--error); font-weight: 600; }
        #summary { font-weight: 600; margin: 4px 0; }
        #summary .errors { color: var(--error); } #summary .warnings { color: var(--warning); }
        #hover { font: 12px ui-monospace, monospace; color: var(--muted); min-height: 1.4em; margin-bottom: 6px; }
        .stream { font: 13px/1.5 ui-monospace, monospace; }
        .chip { display: inline-block; white-space: pre; vertical-align: top; max-width: 100%; overflow-wrap: anywhere; padding: 0 2px; margin: 0 1px 3px 0; border-radius: 3px; cursor: default; }
        .chip.special { background: #312e81 !important; color: #fff; font-weight: 600; }
        .chip.partial { outline: 1px dashed #7c2d12; color: #7c2d12; }
        .chip.flagged-error { outline: 2px solid var(--error); }
        .chip.flagged-warning { outline: 2px solid var(--warning); }
        .chip.flagged-info { outline: 2px dotted var(--info); }
        .chip.divergence { outline: 3px solid var(--error); box-shadow: 0 0 0 5px rgba(192, 38, 45, .2); }
        .chip.end { background: #fee2e2; color: var(--error); font-style: italic; }
        .chip.flash { animation: flash 1s; } @keyframes flash { 50% { box-shadow: 0 0 0 6px #fde047; } }
        .segment-border { display: inline-block; border-left: 3px solid #0f766e; margin: 0 3px 0 6px; padding-left: 2px; font-size: 10px; color: #0f766e; vertical-align: top; }
        #findings { padding-left: 20px; } .finding { margin: 6px 0; cursor: pointer; }
        .finding .severity { font-weight: 700; text-transform: uppercase; font-size: 11px; }
        .finding.error .severity { color: var(--error); } .finding.warning .severity { color: var(--warning); } .finding.info .severity { color: var(--info); }
        .finding code { background: #f2f4f7; padding: 0 3px; border-radius: 3px; }
        .finding .fix { color: var(--muted); }
        #comparison .verdict { font-weight: 600; margin: 8px 0 4px; } #comparison .verdict.equal { color: #15803d; } #comparison .verdict.different { color: var(--error); }
        .lane { display: grid; grid-template-columns: 90px 1fr; gap: 8px; margin: 6px 0; align-items: start; }
        .lane > b { font-size: 12px; color: var(--muted); padding-top: 3px; }
        .elided { color: var(--muted); font-style: italic; margin-right: 4px; }
        """#
}
