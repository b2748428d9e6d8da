import NetloomModel
import Yams
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a spec file into a `StackSpec`, or into every problem it has, each with `file:line:column`.
public enum SpecLoader {
    /// Specs are a few kilobytes; a file past this is a mistake, refused before parsing.
    public static let maximumFileSize = 8 * 1024 * 1024

    public static func load(contentsOf path: String) throws(SpecInvalidError) -> StackSpec {
        func refuse(_ message: String) -> SpecInvalidError {
            SpecInvalidError(diagnostics: [Diagnostic(at: SourceLocation(file: path, line: 1, column: 1), message)])
        }
        // stat before opening: a FIFO or a device would block or stream forever.
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            switch code {
            case ENOENT: throw refuse("cannot read the spec: no such file")
            case EACCES: throw refuse("cannot read the spec: permission denied")
            case ELOOP: throw refuse("cannot read the spec: too many levels of symbolic links (a symlink loop?)")
            case ENOTDIR: throw refuse("cannot read the spec: a part of the path is not a directory")
            case ENAMETOOLONG: throw refuse("cannot read the spec: the path is too long")
            default: throw refuse("cannot read the spec: \(String(cString: strerror(code)))")
            }
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw refuse("is a directory, not a spec file")
        case S_IFIFO: throw refuse("is not a regular file (it is a FIFO); give the path of a YAML file")
        case S_IFCHR, S_IFBLK: throw refuse("is not a regular file (it is a device); give the path of a YAML file")
        case S_IFSOCK: throw refuse("is not a regular file (it is a socket); give the path of a YAML file")
        default: throw refuse("is not a regular file; give the path of a YAML file")
        }
        if Int(info.st_size) > maximumFileSize {
            throw refuse("the spec is \(mebibytes(Int(info.st_size))) MiB; specs larger than \(maximumFileSize / 1024 / 1024) MiB are refused")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw refuse("cannot read the spec: \(Self.describe(error))")
        }
        return try parse(data: data, file: path)
    }

    /// One decimal, rounded up, so a file just over the limit never reads as the limit.
    static func mebibytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 1024 * 1024 - 1) / (1024 * 1024)
        return "\(tenths / 10).\(tenths % 10)"
    }

    public static func parse(data: Data, file: String) throws(SpecInvalidError) -> StackSpec {
        guard data.count <= maximumFileSize else {
            throw SpecInvalidError(diagnostics: [Diagnostic(at: SourceLocation(file: file, line: 1, column: 1),
                "the spec is larger than \(maximumFileSize / 1024 / 1024) MiB")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpecInvalidError(diagnostics: [Diagnostic(at: SourceLocation(file: file, line: 1, column: 1), "the spec is not UTF-8 text")])
        }
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws(SpecInvalidError) -> StackSpec {
        if let position = text.utf8.firstIndex(of: 0) {
            let prefix = text.utf8[..<position]
            let line = prefix.count(where: { $0 == UInt8(ascii: "\n") }) + 1
            throw SpecInvalidError(diagnostics: [Diagnostic(at: SourceLocation(file: file, line: line, column: 1), "the spec contains a NUL byte; is it a binary file?")])
        }
        let root: Node?
        do {
            // The basic resolver tags every scalar as a string: the spec reader types values itself,
            // and Yams' default resolver runs regular expressions on every scalar (a quarter of the
            // load time of a large spec went to resolving tags for duplicate-key checks).
            root = try Yams.compose(yaml: text, .basic)
        } catch {
            throw SpecInvalidError(diagnostics: [yamlDiagnostic(error, file: file, text: text)])
        }
        guard let root else {
            throw SpecInvalidError(diagnostics: [Diagnostic(at: SourceLocation(file: file, line: 1, column: 1), "the spec is empty")])
        }
        let reader = YAMLReader(file: file)
        let builder = SpecBuilder(reader: reader, text: text)
        let spec = builder.build(root)
        guard let spec, !reader.hasErrors else {
            throw SpecInvalidError(diagnostics: reader.diagnostics)
        }
        return spec
    }

    /// Yams' errors carry a mark; turn them into the same located form as every other error.
    static func yamlDiagnostic(_ error: Error, file: String, text: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case YamlError.scanner(_, let problem, let mark, _),
             YamlError.parser(_, let problem, let mark, _),
             YamlError.composer(_, let problem, let mark, _):
            return Diagnostic(at: at(mark), "YAML syntax: \(problem)")
        case YamlError.duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            return Diagnostic(at: duplicateKeyLocation(key, after: context.mark, file: file, text: text) ?? at(context.mark),
                              "duplicate key '\(key)' in a mapping; each key may appear once")
        case YamlError.reader(let problem, let offset, _, _):
            let line = offset.map { offset in text.utf8.prefix(offset).count(where: { $0 == UInt8(ascii: "\n") }) + 1 } ?? 1
            return Diagnostic(at: SourceLocation(file: file, line: line, column: 1), "YAML: \(problem)")
        default:
            return Diagnostic(at: SourceLocation(file: file, line: 1, column: 1), "YAML: \(error)")
        }
    }

    /// Yams reports a duplicate key at the start of its mapping; find the second occurrence instead.
    static func duplicateKeyLocation(_ key: String, after mark: Mark, file: String, text: String) -> SourceLocation? {
        var seen = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where index + 1 >= mark.line {
            let trimmed = line.drop { $0 == " " || $0 == "-" }
            guard trimmed.hasPrefix(key + ":") || trimmed.hasPrefix("\"\(key)\":") || trimmed.hasPrefix("{ \(key):") else { continue }
            seen += 1
            if seen == 2 {
                return SourceLocation(file: file, line: index + 1, column: line.count - trimmed.count + 1)
            }
        }
        return nil
    }

    static func describe(_ error: Error) -> String {
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileReadNoSuchFile: return "no such file"
            case .fileReadNoPermission: return "permission denied"
            default: break
            }
        }
        return "\(error)"
    }
}
