import CCurl

extension CurlMulti {
    /// The multi thread's whole life: it owns the multi handle and the easy handles, admits queued jobs while
    /// there is room, drives the transfers, and resumes each caller when its transfer ends.
    final class Loop {
        private struct Running {
            let job: any CurlMultiJob
            let easy: CurlEasy
            let started: Started
        }

        private var multi: UnsafeMutableRawPointer
        private let inbox: Inbox
        private let maxConcurrent: Int
        /// How long the connections may stay idle; nil: as long as libcurl keeps them.
        private let idleConnectionTimeout: Duration?
        /// When the last transfer ended, while the connection cache may hold a connection; nil: it holds none.
        private var idleSince: ContinuousClock.Instant?
        /// Running transfers by their easy handle, which is what `curl_multi_info_read` names.
        private var running: [UnsafeMutableRawPointer: Running] = [:]
        /// Easy handles between transfers; the connection cache belongs to the multi handle, so any of them can
        /// reuse any kept-alive connection.
        private var idle: [CurlEasy] = []

        private init(
            multi: UnsafeMutableRawPointer, inbox: Inbox, maxConcurrent: Int, idleConnectionTimeout: Duration?
        ) {
            self.multi = multi
            self.inbox = inbox
            self.maxConcurrent = maxConcurrent
            self.idleConnectionTimeout = idleConnectionTimeout
        }

        static func run(inbox: Inbox, maxConcurrent: Int, idleConnectionTimeout: Duration?) {
            let multi: UnsafeMutableRawPointer
            do throws(CurlError) {
                try CurlGlobal.ensureInitialized()
                guard let created = curl_multi_init() else {
                    throw CurlError(code: CURLE_FAILED_INIT, message: "curl_multi_init failed")
                }
                multi = created
            } catch {
                for job in inbox.finish() { job.fail(error) }
                return
            }
            inbox.attach(multi)
            let loop = Loop(
                multi: multi, inbox: inbox, maxConcurrent: maxConcurrent, idleConnectionTimeout: idleConnectionTimeout)
            loop.run()
            // The loop ends only when the inbox is closed and drained, and a closed inbox takes no jobs, so this
            // fails nothing today; it keeps a caller from waiting forever should that ever change.
            let leftover = inbox.finish()
            for job in leftover { job.fail(CancellationError()) }
            // Closes the kept connections: an SMTP one gets QUIT (bounded by the server response timeout).
            curl_multi_cleanup(loop.multi)
        }

        private func run() {
            while true {
                for job in inbox.takeAborts() { abort(job) }
                admitQueuedJobs()
                var stillRunning: Int32 = 0
                let performed = curl_multi_perform(multi, &stillRunning)
                if performed != CURLM_OK {
                    failAll(Self.error(performed))
                }
                let completed = collectCompleted()
                if running.isEmpty && inbox.isClosedAndDrained { return }
                // Finished transfers made room: admit waiting jobs now rather than after the next wait.
                if completed > 0 && inbox.hasQueuedJobs { continue }
                if closeIdleConnectionsIfDue() { continue }
                // Returns early for socket activity, libcurl's own timers, or a wake-up from another thread.
                let polled = curl_multi_poll(multi, nil, 0, pollTimeout, nil)
                if polled != CURLM_OK {
                    failAll(Self.error(polled))
                }
            }
        }

        /// At most a second, and no later than the idle connections are due to close.
        private var pollTimeout: Int32 {
            guard running.isEmpty, let idleSince, let idleConnectionTimeout else { return 1_000 }
            let left = (idleSince + idleConnectionTimeout - ContinuousClock.now).components
            let milliseconds = left.seconds * 1_000 + left.attoseconds / 1_000_000_000_000_000
            return Int32(clamping: max(1, min(1_000, milliseconds + 1)))
        }

        /// With nothing running or queued for `idleConnectionTimeout`, replaces the multi handle, which closes the
        /// connections its cache kept (libcurl has no call that closes idle connections alone). Returns whether it
        /// did. Wake-ups meanwhile are not lost: the loop looks at the queue again before it next waits.
        private func closeIdleConnectionsIfDue() -> Bool {
            guard running.isEmpty, let idleSince, let idleConnectionTimeout,
                ContinuousClock.now - idleSince >= idleConnectionTimeout, !inbox.hasQueuedJobs,
                let fresh = curl_multi_init()
            else { return false }
            inbox.detach()
            curl_multi_cleanup(multi)
            multi = fresh
            inbox.attach(fresh)
            self.idleSince = nil
            return true
        }

        private func admitQueuedJobs() {
            while running.count < maxConcurrent, let job = inbox.nextJob() {
                guard job.start() else { continue }
                let easy: CurlEasy
                if let reused = idle.popLast() {
                    easy = reused
                } else {
                    do throws(CurlError) {
                        easy = try CurlEasy()
                    } catch {
                        job.fail(error)
                        continue
                    }
                }
                guard let started = job.begin(on: easy) else {
                    idle.append(easy)
                    continue
                }
                let added = curl_multi_add_handle(multi, easy.handle)
                guard added == CURLM_OK else {
                    curl_slist_free_all(started.list)
                    job.fail(Self.error(added))
                    continue
                }
                running[easy.handle] = Running(job: job, easy: easy, started: started)
            }
        }

        /// Ends every transfer libcurl reports done; returns how many.
        private func collectCompleted() -> Int {
            var count = 0
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                guard let transfer = remove(handle) else { continue }
                transfer.job.complete(transfer.started, easy: transfer.easy, code: code)
                release(transfer)
                count += 1
            }
            return count
        }

        private func abort(_ job: any CurlMultiJob) {
            // The transfer may have ended since the caller asked; then there is nothing left to stop.
            guard let handle = running.first(where: { $0.value.job === job })?.key, let transfer = remove(handle)
            else { return }
            transfer.job.fail(CancellationError())
            release(transfer)
        }

        private func failAll(_ error: CurlError) {
            for handle in Array(running.keys) {
                guard let transfer = remove(handle) else { continue }
                transfer.job.fail(error)
                release(transfer)
            }
        }

        private func remove(_ handle: UnsafeMutableRawPointer) -> Running? {
            guard let transfer = running.removeValue(forKey: handle) else { return nil }
            curl_multi_remove_handle(multi, handle)
            return transfer
        }

        private func release(_ transfer: Running) {
            curl_slist_free_all(transfer.started.list)
            idle.append(transfer.easy)
            // Its connection may be in the cache now; the idle clock restarts.
            idleSince = ContinuousClock.now
        }

        private static func error(_ code: CURLMcode) -> CurlError {
            CurlError(kind: .other, code: Int(code.rawValue), message: String(cString: curl_multi_strerror(code)))
        }
    }
}
