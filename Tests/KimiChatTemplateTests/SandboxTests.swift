import Foundation
import KimiChatTemplate
import Testing

/// The template sandbox: hostile templates are refused with a limit error that names the limit,
/// quickly, before the work or the allocation, and never crash the process.
@Suite("Template sandbox")
struct SandboxTests {
    /// Renders `source` with `limits`; the error when it fails.
    static func failure(_ source: String, limits: RenderLimits = RenderLimits()) -> TemplateError? {
        do {
            _ = try Template(source: source, name: "hostile").render([:], limits: limits)
            return nil
        } catch {
            return error
        }
    }

    static func expectLimit(_ source: String, _ words: String, limits: RenderLimits = RenderLimits(), sourceLocation: SourceLocation = #_sourceLocation) {
        let start = ContinuousClock.now
        let error = failure(source, limits: limits)
        let elapsed = ContinuousClock.now - start
        #expect(error?.kind == .limit, "\(error.map(String.init(describing:)) ?? "rendered")", sourceLocation: sourceLocation)
        #expect(error?.message.contains(words) == true, "\(error?.message ?? "no error")", sourceLocation: sourceLocation)
        // Generous: the point is seconds, not minutes.
        #expect(elapsed < .seconds(10), "took \(elapsed)", sourceLocation: sourceLocation)
    }

    @Test func aValueNestedInALoopIsRefusedNotACrash() {
        Self.expectLimit(
            "{% set ns = namespace(l=[]) %}{% for i in range(50000) %}{% set ns.l = [ns.l] %}{% endfor %}x", "nested deeper than 512 levels")
        Self.expectLimit("{% set ns = namespace(t=()) %}{% for i in range(50000) %}{% set ns.t = (ns.t,) %}{% endfor %}", "nested deeper")
        Self.expectLimit("{% set ns = namespace(d={}) %}{% for i in range(50000) %}{% set ns.d = {'k': ns.d} %}{% endfor %}", "nested deeper")
    }

    /// A value nested far deeper than any template may build (as a library user could) is
    /// freed without recursing once per level.
    @Test func deepValuesAreFreedWithoutRecursion() {
        var value = Value.list([])
        for _ in 0..<300_000 { value = .list([value, .dict([("k", value)])]) }
        #expect(value.depth == 600_001)
        value = .none
        var namespace = Value.none
        for _ in 0..<300_000 { namespace = .namespace(Value.DictBox([(.string("l"), .tuple([namespace]))])) }
        namespace = .none
        #expect(value.depth == 0 && namespace.depth == 0)
    }

    @Test func loopsCountTowardsTheSteps() {
        Self.expectLimit("{% for i in range(3000) %}{% for j in range(3000) %}{{ '' }}{% endfor %}{% endfor %}", "evaluation steps")
        // An empty body counts too.
        Self.expectLimit("{% for i in range(3000) %}{% for j in range(3000) %}{% endfor %}{% endfor %}", "evaluation steps")
    }

    @Test func theDeadlineAndCancellationStopARender() {
        let loop = "{% for i in range(100000) %}{% for j in range(100) %}{% endfor %}{% endfor %}"
        var limits = RenderLimits()
        limits.steps = .max
        Self.expectLimit(loop, "deadline of 0.05 s", limits: limits.expiring(after: .milliseconds(50)))
        let cancellation = RenderCancellation()
        cancellation.cancel("the client closed the connection")
        limits.cancellation = cancellation
        Self.expectLimit(loop, "render cancelled: the client closed the connection", limits: limits)
    }

    @Test func formatWidthsAreCheckedBeforeAllocating() {
        Self.expectLimit("{{ '%0999999999d' | format(1) }}", "format width 999999999")
        Self.expectLimit("{{ '%.999999999f' | format(1.5) }}", "format precision")
        Self.expectLimit("{{ '%099999999999999999999999d' | format(1) }}", "format width")
        Self.expectLimit("{{ '{:>999999999}'.format('x') }}", "format width 999999999")
        Self.expectLimit("{{ '{:.999999999f}'.format(1.5) }}", "format precision")
        Self.expectLimit("{{ 'x' | center(999999999) }}", "center width")
        Self.expectLimit("{{ 'a\nb' | indent(999999999) }}", "indent width")
        Self.expectLimit("{{ {'a': [1]} | tojson(indent=999999999) }}", "tojson indent")
    }

    @Test func growthIsCheckedBeforeAllocating() {
        // A replace chain that reaches 100 MB.
        Self.expectLimit(
            "{% set s = 'x' * 1000000 %}{% set s = s.replace('x', 'xxxxxxxxxx') %}{% set s = s.replace('x', 'xxxxxxxxxx') %}{{ s | length }}",
            "replace would build a string of")
        Self.expectLimit(
            "{% set s = 'x' * 1000000 %}{{ s | replace('x', 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy') }}", "replace"
        )
        // Printing a list of many references to one long string.
        Self.expectLimit("{% set s = 'x' * 60000000 %}{% set l = [s] * 100000 %}{{ l }}", "printing a value would build a string")
        Self.expectLimit("{% set s = 'x' * 60000000 %}{% set l = [s] * 100000 %}{{ l | tojson }}", "tojson would build a string")
        Self.expectLimit("{% set s = 'x' * 60000000 %}{% set l = [s] * 100000 %}{{ l | join(',') }}", "join would build a string")
        Self.expectLimit("{% set s = 'x' * 60000000 %}{{ s ~ s }}", "'~' would build a string")
        Self.expectLimit("{{ 'ab' * 999999999999 }}", "string repetition")
        Self.expectLimit("{{ [1] * 999999999999 }}", "list repetition")
        Self.expectLimit("{{ [1, 2] | slice(99999999999) | list }}", "slice would build a list")
        Self.expectLimit("{% set s = 'x' * 60000000 %}{{ s | list | length }}", "iterating a string would build a list")
    }

    @Test func templatesNestedTooDeeplyAreRefusedWhenParsed() {
        for source in [
            "{{ " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + " }}",
            String(repeating: "{% if 1 %}", count: 20_000) + "x" + String(repeating: "{% endif %}", count: 20_000),
            "{{ 1" + String(repeating: " + 1", count: 100_000) + " }}",
            "{{ " + String(repeating: "not ", count: 100_000) + "1 }}",
            "{{ " + String(repeating: "-", count: 100_000) + "1 }}",
            "{{ x" + String(repeating: ".a", count: 100_000) + " }}",
            "{{ x" + String(repeating: " | string", count: 100_000) + " }}",
        ] {
            #expect(throws: TemplateError.self) { try Template(source: source, name: "deep") }
            do {
                _ = try Template(source: source, name: "deep")
            } catch {
                #expect(error.kind == .limit && error.message.contains("deeper than 500 levels"), "\(error)")
            }
        }
        // Nesting a real template uses is fine.
        #expect((try? Template(source: "{{ ((((1)))) + [[[2]]][0][0][0] }}", name: "shallow").render([:])) == "3")
    }

    /// A long conversation renders far inside the default budget.
    @Test func aLongConversationFitsTheBudget() throws {
        let source = """
            {%- for message in messages -%}<|im_{{ message.role }}|>{{ message.role }}<|im_middle|>
            {%- if message.content is string %}{{ message.content }}{% else %}{% for part in message.content %}{{ part.text }}{% endfor %}{% endif -%}
            {%- for call in message.tool_calls | default([]) %}{{ call.id }}{{ call.function.arguments | tojson }}{% endfor -%}
            <|im_end|>{%- endfor -%}
            """
        var messages: [Value] = []
        for index in 0..<4000 {
            messages.append(.dict([("role", .string("user")), ("content", .string("question \(index)"))]))
            messages.append(
                .dict([
                    ("role", .string("assistant")), ("content", .list([.dict([("type", .string("text")), ("text", .string("a"))])])),
                    (
                        "tool_calls",
                        .list([.dict([("id", .string("functions.f:\(index)")), ("function", .dict([("arguments", .dict([("q", .int(index))]))]))])])
                    ),
                ]))
        }
        let output = try Template(source: source, name: "long").render(["messages": .list(messages)])
        #expect(output.hasSuffix("<|im_end|>"))
    }
}
