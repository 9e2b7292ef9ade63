import KimiChatTemplate
import Testing

/// Templates that cannot run fail with the file, line and column, and never half-render.
@Suite("Template errors and limits")
struct TemplateErrorTests {
    func render(_ source: String, _ context: [String: Value] = [:], limits: RenderLimits = RenderLimits()) throws -> String {
        try Template(source: source, name: "t.jinja").render(context, limits: limits)
    }

    func expectError(
        _ source: String, kind: TemplateError.Kind, at location: String, containing text: String,
        limits: RenderLimits = RenderLimits(), sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let output = try render(source, limits: limits)
            Issue.record("rendered \(output.debugDescription) instead of failing", sourceLocation: sourceLocation)
        } catch let error as TemplateError {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("t.jinja:\(location): "), "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(text), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        expectError("line one\n{% if x %}\nno end", kind: .syntax, at: "3:7", containing: "'endif'")
        expectError("{{ 1 + }}", kind: .syntax, at: "1:8", containing: "unexpected '}}'")
        expectError("a\n  {% frobnicate %}", kind: .syntax, at: "2:6", containing: "unknown tag 'frobnicate'")
        expectError("{{ 'abc }}", kind: .syntax, at: "1:4", containing: "string literal never closed")
        expectError("{# open comment", kind: .syntax, at: "1:1", containing: "comment never closed")
    }

    @Test func unknownFiltersAndTestsFailBeforeRendering() {
        expectError("{% if false %}{{ x | shout }}{% endif %}", kind: .syntax, at: "1:20", containing: "no filter named 'shout'")
        expectError("{% if false %}{{ x is odd_ish }}{% endif %}", kind: .syntax, at: "1:20", containing: "no test named 'odd_ish'")
    }

    @Test func runtimeErrorsPointAtTheExpression() {
        expectError("ok\n{{ 1 + 'a' }}", kind: .runtime, at: "2:6", containing: "unsupported operand")
        expectError("{{ missing.field }}", kind: .runtime, at: "1:11", containing: "'missing' is undefined")
        expectError("{% macro m() %}\n  {{ 1 // 0 }}\n{% endmacro %}{{ m() }}", kind: .runtime, at: "2:8", containing: "division")
    }

    @Test func sandboxRefusesMutationLikeTransformers() {
        expectError(
            "{% set l = [] %}{% set _ = l.append(1) %}", kind: .security, at: "1:36",
            containing: "access to attribute 'append' of 'list' object is unsafe.")
        expectError("{% set d = {} %}{{ d.update(a=1) }}", kind: .security, at: "1:28", containing: "'update' of 'dict'")
    }

    @Test func raiseExceptionIsReported() {
        expectError("{{ raise_exception('bad role') }}", kind: .raised, at: "1:19", containing: "bad role")
    }

    @Test func runawayTemplatesHitLimits() {
        expectError("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", kind: .limit, at: "1:20", containing: "nested deeper")
        var small = RenderLimits()
        small.outputBytes = 1_000
        expectError("{% for i in range(100000) %}xxxxxxxxxx{% endfor %}", kind: .limit, at: "1:29", containing: "output larger", limits: small)
        var few = RenderLimits()
        few.steps = 500
        // Building the 100,000 items of the range is already over the budget (an item is a step).
        expectError("{% for i in range(100000) %}{{ i }}{% endfor %}", kind: .limit, at: "1:18", containing: "evaluation steps", limits: few)
        expectError("{{ range(1000000) | length }}", kind: .limit, at: "1:9", containing: "range too big")
    }

    @Test func pythonValuesPrintLikePython() throws {
        let context: [String: Value] = [
            "parts": .list([.dict([("type", .string("text")), ("text", .string(""))])]),
            "flags": .list([.bool(true), .none, .float(1.0), .int(-3)]),
        ]
        #expect(
            try render("{{ parts }}|{{ flags }}|{{ parts | tojson }}", context)
                == "[{'type': 'text', 'text': ''}]|[True, None, 1.0, -3]|[{\"type\": \"text\", \"text\": \"\"}]")
    }
}
