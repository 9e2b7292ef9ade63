/// The inspector page served at `/`: one self-contained HTML document (style, script and
/// examples inline, nothing fetched from elsewhere), compiled into the binary.
enum InspectorPage {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>kimi-tok inspector</title>
        <style>
        \(InspectorPageStyle.css)
        </style>
        </head>
        <body data-state="idle">
        \(body)
        <script>
        const EXAMPLES = \(InspectorPageExamples.json);
        \(InspectorPageScript.javascript)
        </script>
        </body>
        </html>
        """

    private static let body = #"""
        <header>
          <h1>kimi-tok <span>token inspector</span></h1>
          <label>Model <select id="model"></select></label>
          <span class="examples">Examples:
            <button type="button" data-example="good-k2">Good K2 prompt</button>
            <button type="button" data-example="content-list-leak">Content-list leak</button>
            <button type="button" data-example="compare-missing-generation-prompt">Compare: missing generation prompt</button>
            <button type="button" data-example="k3-request">K3 segments</button>
            <button type="button" data-example="partial-utf8">Cut UTF-8</button>
          </span>
        </header>
        <main>
          <section id="input">
            <div class="kinds">
              <label><input type="radio" name="kind" value="chat" checked> Chat request (JSON)</label>
              <label><input type="radio" name="kind" value="prompt"> Prompt (text)</label>
              <label><input type="radio" name="kind" value="ids"> Token IDs</label>
            </div>
            <textarea id="source" spellcheck="false" placeholder='{"messages": [{"role": "user", "content": "Hello"}], "tools": [...]}'></textarea>
            <details id="engine-box">
              <summary>Compare with an engine's token IDs</summary>
              <textarea id="engine" spellcheck="false" placeholder="The engine's IDs: a JSON array, a /tokenize response, prompt_token_ids, or numbers"></textarea>
            </details>
            <div class="options">
              <label><input type="checkbox" id="generation-prompt" checked> add_generation_prompt</label>
              <label>Engine profile <select id="profile"><option value="reference">reference</option><option value="vllm">vllm</option></select></label>
              <label><input type="checkbox" id="whitespace"> Show whitespace as ⋅ → ↵</label>
              <button type="button" id="inspect">Inspect</button>
            </div>
          </section>
          <section id="output">
            <div id="status" role="status"></div>
            <div id="summary"></div>
            <div id="hover" aria-live="polite">Hover a token to see its index, ID and bytes.</div>
            <div id="chips" class="stream"></div>
            <ol id="findings"></ol>
            <div id="comparison"></div>
          </section>
        </main>
        """#
}
