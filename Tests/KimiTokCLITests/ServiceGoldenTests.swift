import Foundation
import TestSupport
import Testing

/// Every endpoint of `kimi-tok serve`, and every error status, on the three families' model
/// directories (K2 from `Vocab/kimi-k2`, K2.5 and K3 built beside it): each answer is the one in
/// `Tests/Fixtures/service.json`, status and body.
@Suite("kimi-tok serve: golden answers of every endpoint and error kind", .serialized, .needsVocabulary)
struct ServiceGoldenTests {
    @Test("each request gets the status and body recorded for it")
    func answersAreGolden() throws {
        let models = try GoldenFixtures.modelDirectories()
        let service = try ServiceProcess(
            arguments: ["--max-body", "4096", "--threads", "2"] + models.sorted { $0.key < $1.key }.flatMap { ["--model-name", "\($0.key)=\($0.value)"] })
        var statuses: Set<Int> = []
        for fixture in try GoldenFixtures.cases("service.json") {
            let method = try #require(fixture["method"] as? String)
            let path = try #require(fixture["path"] as? String)
            let answer =
                method == "GET" ? try service.get(path) : try service.post(path, Data((fixture["body"] as? String ?? "").utf8))
            var expected = try #require(fixture["answer"] as? String)
            for (name, directory) in models {
                let escaped = String(decoding: try JSONSerialization.data(withJSONObject: [directory]), as: UTF8.self).dropFirst(2).dropLast(2)
                expected = expected.replacingOccurrences(of: "<model:\(name)>", with: String(escaped))
            }
            #expect(answer.status == fixture["status"] as? Int, "\(method) \(path): \(answer.text.prefix(300))")
            let same =
                (try? JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: answer.body), options: .sortedKeys))
                == (try? JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: Data(expected.utf8)), options: .sortedKeys))
            #expect(same, "\(method) \(path) \((fixture["body"] as? String ?? "").prefix(100)):\n\(answer.text.prefix(400))\nexpected\n\(expected.prefix(400))")
            statuses.insert(answer.status)
        }
        // Every kind of error has its documented status: bad input 400, forbidden 403, not found
        // 404, a wrong method 405, too large 413, refused or unsupported 422.
        #expect(statuses.isSuperset(of: [200, 400, 403, 404, 405, 413, 422]), "\(statuses.sorted())")
    }
}
