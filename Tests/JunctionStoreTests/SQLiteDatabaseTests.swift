import JunctionStore
import Testing

@Suite("SQLiteDatabase")
struct SQLiteDatabaseTests {
    static func table() throws -> (TemporaryDirectory, SQLiteDatabase) {
        let dir = try TemporaryDirectory()
        let db = try SQLiteDatabase(path: dir.file("t.db"))
        try db.enableWAL()
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, data BLOB)")
        return (dir, db)
    }

    @Test("a throwing transaction body rolls everything back")
    func rollback() throws {
        let (dir, db) = try Self.table()
        _ = dir
        struct Marker: Error {}
        let error = #expect(throws: StoreError.self) {
            try db.transaction { () throws(StoreError) in
                try db.execute("INSERT INTO t(name) VALUES ('kept?')")
                try db.execute("INSERT INTO nope VALUES (1)")
            }
        }
        #expect(error?.message.contains("nope") == true)
        let count = try db.prepare("SELECT count(*) FROM t")
        #expect(try count.step())
        #expect(count.int64(at: 0) == 0)
        // The connection is usable again.
        try db.transaction { () throws(StoreError) in try db.execute("INSERT INTO t(name) VALUES ('x')") }
        #expect(db.changes == 1)
    }

    @Test("transactions do not nest")
    func noNesting() throws {
        let (dir, db) = try Self.table()
        _ = dir
        let error = #expect(throws: StoreError.self) {
            try db.transaction { () throws(StoreError) in
                try db.transaction { () throws(StoreError) in }
            }
        }
        #expect(error?.code == 21)
    }

    @Test("binds and reads integers, text, blobs and NULL; reset allows reuse")
    func bindAndRead() throws {
        let (dir, db) = try Self.table()
        _ = dir
        let insert = try db.cached("INSERT INTO t(id, name, data) VALUES (?1, ?2, ?3)")
        #expect(try db.cached("INSERT INTO t(id, name, data) VALUES (?1, ?2, ?3)") === insert)
        for (id, name, data) in [(Int64(1), "one" as String?, [UInt8]([1, 2])), (2, nil, []), (3, "", [0])] {
            defer { insert.reset() }
            try insert.bind(id, at: 1)
            try insert.bind(name, at: 2)
            try insert.bind(data, at: 3)
            try insert.run()
        }
        let select = try db.prepare("SELECT id, name, data, data IS NULL FROM t ORDER BY id")
        var rows: [(Int64, String?, [UInt8], Bool)] = []
        while try select.step() {
            rows.append((select.int64(at: 0), select.string(at: 1), select.bytes(at: 2), select.isNull(at: 1)))
        }
        #expect(rows.map(\.0) == [1, 2, 3])
        #expect(rows.map(\.1) == ["one", nil, ""])
        #expect(rows.map(\.2) == [[1, 2], [], [0]])
        #expect(rows.map(\.3) == [false, true, false])
    }

    @Test("a constraint failure and a bad statement report SQLite's message and the path")
    func errors() throws {
        let (dir, db) = try Self.table()
        try db.execute("INSERT INTO t(id) VALUES (1)")
        let error = #expect(throws: StoreError.self) { try db.execute("INSERT INTO t(id) VALUES (1)") }
        #expect(error?.primaryCode == 19) // SQLITE_CONSTRAINT
        #expect(error?.code == 1555) // SQLITE_CONSTRAINT_PRIMARYKEY
        #expect(error?.description.contains(dir.file("t.db")) == true)
        let prepareError = #expect(throws: StoreError.self) { try db.prepare("SELEC 1") }
        #expect(prepareError?.message.contains("syntax error") == true)
        #expect(prepareError?.operation == "prepare")
    }

    @Test("user_version round-trips")
    func userVersion() throws {
        let (dir, db) = try Self.table()
        _ = dir
        #expect(try db.userVersion() == 0)
        try db.setUserVersion(3)
        #expect(try db.userVersion() == 3)
    }
}
