import ArgumentParser
import Foundation
import Junction
import JunctionStore
import WebhookPlugin

/// `junction webhooks dlq list|replay`: the dead letters of the webhook sinks.
struct WebhooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Inspect the webhook outbox.",
        subcommands: [DeadLetters.self]
    )

    struct DeadLetters: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dlq",
            abstract: "Messages a webhook sink gave up on: list them, or put them back into the outbox.",
            subcommands: [List.self, Replay.self]
        )
    }

    /// Which outbox and which dead letters.
    struct Selection: ParsableArguments {
        @Option(help: "The routes file whose webhooks: section names the outbox (its ${VARS} must be set).")
        var config: String = "routes.yaml"

        @Option(help: "The outbox file itself, instead of reading --config.")
        var outbox: String?

        @Option(help: "Only this webhook sink's dead letters.")
        var sink: String?

        @Option(help: "Only dead letters that failed at or after T: an ISO 8601 time (2026-11-23T10:00:00Z), Unix seconds, or a time ago (90m, 2h, 1d).")
        var since: String?

        func open() throws -> Outbox {
            let path: String
            if let outbox {
                path = outbox
            } else {
                let services = ServiceRegistry()
                let graph: Graph
                do {
                    graph = try FileOptions.parse([config]).load(services: services)
                } catch let errors as ConfigErrors {
                    printDiagnostics(errors.diagnostics)
                    throw ExitCode(1)
                }
                path = WebhookPlugin.outboxPath(services: services, baseDirectory: graph.baseDirectory)
            }
            // Opening creates a missing file: a mistyped path would look like an empty outbox.
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("no outbox at \(path) (Junction creates it when a webhook sink first starts)")
            }
            return try Outbox(path: path)
        }

        /// `since` in ms since the epoch.
        func sinceMillis(now: Date = Date()) throws -> Int64? {
            guard let since else { return nil }
            guard let date = DeadLetterTime.parse(since, now: now),
                  let millis = Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded())
            else {
                throw ValidationError("--since '\(since)': expected an ISO 8601 time, Unix seconds, or a duration like 90m")
            }
            return millis
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the newest dead letters (up to --limit), oldest of them first.")

        @OptionGroup var selection: Selection

        @Option(help: "At most this many.")
        var limit: Int = 100

        @Flag(help: "One JSON object per line, with the payload.")
        var json = false

        func run() throws {
            let outbox = try selection.open()
            let letters = try outbox.deadLetters(target: selection.sink, since: try selection.sinceMillis(), limit: limit, newest: true)
            if json {
                for letter in letters { print(DeadLetterTime.json(letter)) }
                return
            }
            print("ID\tSINK\tWEBHOOK-ID\tATTEMPTS\tFAILED-AT\tBYTES\tLAST-ERROR")
            for l in letters {
                print("\(l.id)\t\(l.target)\t\(l.messageID)\t\(l.attempts)\t\(DeadLetterTime.iso(l.failedAt))\t\(l.payload.count)\t\(l.lastError)")
            }
            let total = try outbox.deadLetterCount(target: selection.sink)
            FileHandle.standardError.write(Data("\(letters.count) shown, \(total) dead letter\(total == 1 ? "" : "s") in all\n".utf8))
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put dead letters back into the outbox: a running Junction delivers them within a second, with their webhook-id unchanged.")

        @OptionGroup var selection: Selection

        func run() throws {
            let outbox = try selection.open()
            let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
            let count = try outbox.replay(target: selection.sink, since: try selection.sinceMillis(), now: now)
            print("replayed \(count) message\(count == 1 ? "" : "s")")
        }
    }
}

/// Times for the dead-letter commands.
enum DeadLetterTime {
    /// ISO 8601, Unix seconds, or a duration back from `now` (`90s`, `90m`, `2h`, `1d`).
    static func parse(_ text: String, now: Date) -> Date? {
        if let seconds = Double(text), text.allSatisfy({ $0.isNumber || $0 == "." }) { return Date(timeIntervalSince1970: seconds) }
        if let unit = text.last, let amount = Double(text.dropLast()), amount >= 0 {
            let scale: Double? = switch unit {
            case "s": 1
            case "m": 60
            case "h": 3600
            case "d": 86400
            default: nil
            }
            if let scale { return now.addingTimeInterval(-amount * scale) }
        }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    static func iso(_ millis: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    static func json(_ l: Outbox.DeadLetter) -> String {
        let object: [String: Any] = [
            "id": l.id, "sink": l.target, "webhook_id": l.messageID, "attempts": l.attempts,
            "failed_at": iso(l.failedAt), "created_at": iso(l.createdAt), "last_error": l.lastError,
            "payload": String(decoding: l.payload, as: UTF8.self),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
