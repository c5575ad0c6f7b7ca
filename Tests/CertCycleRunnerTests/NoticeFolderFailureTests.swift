import CertCycleRunner
import CertCycleTestSupport
import Foundation
import Testing

@Suite("notice folders that cannot be written")
struct NoticeFolderFailureTests {
    @Test("a folder write that fails part-way leaves no .tmp folder behind")
    func failedWriteLeavesNothing() throws {
        let tmp = try TemporaryFolder("folder")
        defer { tmp.cleanUp() }
        let writer = NoticeFolderWriter(root: tmp.path("notices"))
        // `letters` as a file, then a file inside it: the second cannot be created.
        let files = [NoticeFile(path: "letters", data: Data("x".utf8)), NoticeFile(path: "letters/a.txt", data: Data("y".utf8))]
        #expect(throws: (any Error).self) { try writer.write("2026-06-30", files: files) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("notices")) == [])
    }

    @Test("checkWritable creates a missing notices folder and leaves nothing in it")
    func checkWritableCreates() throws {
        let tmp = try TemporaryFolder("folder")
        defer { tmp.cleanUp() }
        let writer = NoticeFolderWriter(root: tmp.path("a/b/notices"))
        try writer.checkWritable()
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("a/b/notices")) == [])
    }
}
