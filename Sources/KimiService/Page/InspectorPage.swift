/// The inspector page served at `/`: one self-contained HTML document (style, script and
/// examples inline, nothing fetched from elsewhere), compiled into the binary. Its parts are
/// real files in `Page/Assets` (HTML, CSS, JavaScript, JSON); `scripts/generate-page` composes
/// them into ``html`` (`InspectorPageDocument.swift`).
enum InspectorPage {}
