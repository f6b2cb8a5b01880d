import CCurl

/// A submitted job as the multi thread sees it, whatever its operation and response types.
protocol CurlMultiJob: AnyObject, Sendable {
    /// False when the job was cancelled while queued: skip it.
    func start() -> Bool
    /// Sets `easy` up for the job's transfer, or fails the job and returns nil.
    func begin(on easy: CurlEasy) -> CurlMulti.Started?
    /// Reads the outcome of the finished transfer from `easy` and resumes the caller.
    func complete(_ started: CurlMulti.Started, easy: CurlEasy, code: CURLcode)
    func fail(_ error: any Error)
}

extension CurlMulti {
    /// What a running transfer needs kept alive until it ends: its callback state and its string list.
    struct Started {
        let transfer: CurlTransfer
        let list: UnsafeMutablePointer<curl_slist>?
    }
}

extension CurlJob: CurlMultiJob {
    func begin(on easy: CurlEasy) -> CurlMulti.Started? {
        do throws(CurlError) {
            try operation.validate()
            let transfer = operation.makeTransfer(shouldAbort: nil)
            return CurlMulti.Started(transfer: transfer, list: try operation.configure(easy, transfer: transfer))
        } catch {
            finish(.failure(error))
            return nil
        }
    }

    func complete(_ started: CurlMulti.Started, easy: CurlEasy, code: CURLcode) {
        let result = Result { () throws(CurlError) in
            try operation.response(from: easy, code: code, transfer: started.transfer)
        }
        finish(result.mapError { $0 })
    }

    func fail(_ error: any Error) {
        finish(.failure(error))
    }
}
