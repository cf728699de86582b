import CZstd

/// A zstd failure: the library's error name.
struct ZstdError: Error, CustomStringConvertible {
    var code: Int
    var name: String
    var description: String { name }
    var isChecksumMismatch: Bool { code == Int(ZSTD_error_checksum_wrong.rawValue) }

    init(_ result: Int) {
        code = Int(ZSTD_getErrorCode(result).rawValue)
        name = String(cString: ZSTD_getErrorName(result))
    }
}

/// One compression context, reused for every frame: level and content checksums set once.
final class ZstdCompressor {
    private let cctx: OpaquePointer
    private var output: [UInt8] = []

    init(level: Int32) {
        cctx = ZSTD_createCCtx()
        _ = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
        _ = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)
    }

    deinit { ZSTD_freeCCtx(cctx) }

    /// Compresses `input` into one checksummed frame.
    func frame(_ input: [UInt8]) throws(ZstdError) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let n = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ZSTD_compress2(cctx, dst.baseAddress, dst.count, src.baseAddress, src.count)
            }
        }
        if ZSTD_isError(n) != 0 { throw ZstdError(n) }
        return Array(output[0..<n])
    }
}

/// One decompression context, reused.
final class ZstdDecompressor {
    private let dctx: OpaquePointer

    init() { dctx = ZSTD_createDCtx() }
    deinit { ZSTD_freeDCtx(dctx) }

    /// Decompresses exactly one frame (`src` is its exact extent); verifies its content checksum.
    func frame(_ src: UnsafeRawBufferPointer) throws(ZstdError) -> [UInt8] {
        let size = ZSTD_getFrameContentSize(src.baseAddress, src.count)
        // ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR are UInt64.max and UInt64.max - 1.
        guard size < UInt64.max - 1, size <= 1 << 30 else {
            throw ZstdError(code: Int(ZSTD_error_frameParameter_unsupported.rawValue), name: "frame content size unknown or too large")
        }
        var out = [UInt8](repeating: 0, count: Int(size))
        let n = out.withUnsafeMutableBytes { dst in
            ZSTD_decompressDCtx(dctx, dst.baseAddress, dst.count, src.baseAddress, src.count)
        }
        if ZSTD_isError(n) != 0 { throw ZstdError(n) }
        return out
    }

    /// The content size a frame's header declares, if it declares one.
    static func contentSize(_ src: UnsafeRawBufferPointer) -> UInt64? {
        let size = ZSTD_getFrameContentSize(src.baseAddress, src.count)
        return size < UInt64.max - 1 ? size : nil
    }

    /// The exact size of the frame (zstd or skippable) starting at `src`, or an error (truncated).
    static func frameSize(_ src: UnsafeRawBufferPointer) -> Result<Int, ZstdError> {
        let n = ZSTD_findFrameCompressedSize(src.baseAddress, src.count)
        return ZSTD_isError(n) != 0 ? .failure(ZstdError(n)) : .success(n)
    }
}

extension ZstdError {
    init(code: Int, name: String) {
        self.code = code
        self.name = name
    }
}
