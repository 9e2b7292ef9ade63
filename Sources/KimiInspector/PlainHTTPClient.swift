import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One HTTP/1.1 POST over a plain TCP socket, for `http://` engine URLs: blocking reads and
/// writes under `poll` with a deadline, so waiting for a slow engine costs no CPU and a timeout
/// says which step timed out.
struct PlainHTTPClient {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let url: URL
    let timeout: TimeInterval

    /// Sends `body` and returns the response body and status.
    func post(_ body: Data, contentType: String = "application/json") throws -> (Data, Int) {
        guard let host = url.host, !host.isEmpty else { throw Failure(description: "\(url.absoluteString) has no host") }
        let port = url.port ?? 80
        let deadline = Date().addingTimeInterval(timeout)
        let socket = try connect(host: host, port: port, deadline: deadline)
        defer { close(socket) }
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query { path += "?" + query }
        var request = Data("POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: \(contentType)\r\n".utf8)
        request += Data("Content-Length: \(body.count)\r\nAccept: application/json\r\nConnection: close\r\n\r\n".utf8)
        request += body
        try send(request, on: socket, deadline: deadline)
        let response = try receiveAll(from: socket, deadline: deadline)
        return try Self.parse(response, url: url)
    }

    private func remaining(_ deadline: Date) -> Int32 {
        Int32(max(0, min(Double(Int32.max), deadline.timeIntervalSinceNow * 1000)))
    }

    private func timedOut(_ step: String) -> Failure {
        Failure(description: "timed out after \(Int(timeout)) s \(step) \(url.absoluteString) (raise --timeout if the engine is busy)")
    }

    private func connect(host: String, port: Int, deadline: Date) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            let flags = fcntl(fd, F_GETFL, 0)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            if Glibc_connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 || errno == EINPROGRESS {
                var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&descriptor, 1, remaining(deadline))
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
                if ready == 1, socketError == 0 {
                    _ = fcntl(fd, F_SETFL, flags)
                    return fd
                }
                if ready == 0 {
                    close(fd)
                    throw timedOut("connecting to")
                }
                lastError = String(cString: strerror(socketError == 0 ? errno : socketError))
            } else {
                lastError = String(cString: strerror(errno))
            }
            close(fd)
        }
        throw Failure(description: "cannot reach \(url.absoluteString): \(lastError)")
    }

    private func send(_ data: Data, on socket: Int32, deadline: Date) throws {
        var offset = 0
        while offset < data.count {
            var descriptor = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            guard poll(&descriptor, 1, remaining(deadline)) == 1 else { throw timedOut("sending the request to") }
            let written = data.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc_send(socket, base + offset, data.count - offset)
            }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw Failure(description: "sending to \(url.absoluteString) failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    private func receiveAll(from socket: Int32, deadline: Date) throws -> Data {
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, remaining(deadline)) == 1 else { throw timedOut("waiting for the response of") }
            let count = read(socket, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw Failure(description: "reading from \(url.absoluteString) failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return response }
            response.append(contentsOf: buffer[..<count])
            if let complete = Self.completeLength(response), response.count >= complete { return response.prefix(complete) }
        }
    }

    /// The length of the whole response when its headers give a Content-Length.
    private static func completeLength(_ data: Data) -> Int? {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).lowercased()
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            return Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)).map { end.upperBound - data.startIndex + $0 }
        }
        return nil
    }

    /// The status and body of a raw response (Content-Length, chunked, or until close).
    static func parse(_ data: Data, url: URL) throws -> (Data, Int) {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else {
            throw Failure(description: "\(url.absoluteString) closed the connection without a complete HTTP response")
        }
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"), let status = Int(statusParts[1]) else {
            throw Failure(description: "\(url.absoluteString) did not answer HTTP: \(lines.first.map(String.init) ?? "")")
        }
        var body = Data(data[end.upperBound...])
        let chunked = lines.dropFirst().contains { $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked") }
        if chunked { body = try dechunk(body, url: url) }
        return (body, status)
    }

    private static func dechunk(_ data: Data, url: URL) throws -> Data {
        var output = Data()
        var index = data.startIndex
        while true {
            guard let lineEnd = data[index...].range(of: Data("\r\n".utf8)) else { break }
            let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw Failure(description: "\(url.absoluteString) sent a malformed chunked body")
            }
            if size == 0 { return output }
            let start = lineEnd.upperBound
            guard data.distance(from: start, to: data.endIndex) >= size else { break }
            output += data[start..<data.index(start, offsetBy: size)]
            index = data.index(start, offsetBy: size + 2, limitedBy: data.endIndex) ?? data.endIndex
        }
        throw Failure(description: "\(url.absoluteString) closed the connection in the middle of a chunked body")
    }
}

// The C functions under names that do not clash with this type's own methods.
@inline(__always)
private func Glibc_connect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
        Glibc.connect(fd, address, length)
    #else
        Darwin.connect(fd, address, length)
    #endif
}

@inline(__always)
private func Glibc_send(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.send(fd, pointer, count, Int32(MSG_NOSIGNAL))
    #else
        Darwin.send(fd, pointer, count, 0)
    #endif
}
