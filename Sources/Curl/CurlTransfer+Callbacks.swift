import CCurl

// libcurl calls plain C function pointers, so these closures capture nothing; the transfer arrives as the
// user-data pointer that `CurlEasy` registered (an unretained reference it keeps alive for the transfer).

extension CurlTransfer {
    static func from(_ userdata: UnsafeMutableRawPointer?) -> CurlTransfer {
        Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    }

    var userdata: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static let writeFunction: curl_write_callback = { data, size, count, userdata in
        let length = size * count
        let chunk = UnsafeRawBufferPointer(start: data, count: length)
        // Returning anything but `length` makes libcurl fail the transfer with CURLE_WRITE_ERROR.
        return CurlTransfer.from(userdata).receiveBody(chunk) ? length : 0
    }

    static let headerFunction: curl_write_callback = { data, size, count, userdata in
        let length = size * count
        let line = UnsafeRawBufferPointer(start: data, count: length)
        return CurlTransfer.from(userdata).receiveHeaderLine(line) ? length : 0
    }

    // libcurl's default read function reads stdin; here uploads come from the transfer (an SMTP message), and an
    // HTTP body always goes through COPYPOSTFIELDS, so anything else that asks for data gets end-of-data.
    static let readFunction: curl_read_callback = { buffer, size, count, userdata in
        guard let buffer else { return 0 }
        return CurlTransfer.from(userdata).readUpload(
            into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
    }

    static let progressFunction: curl_xferinfo_callback = { userdata, _, _, _, _ in
        CurlTransfer.from(userdata).checkAbort() ? 1 : 0
    }
}
