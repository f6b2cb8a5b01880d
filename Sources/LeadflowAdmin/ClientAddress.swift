/// The address a request came from, for the length of the request (a task-local value set by
/// ``RequestLimitsMiddleware``): what bad tokens are counted by.
enum ClientAddress {
    @TaskLocal static var current: String?
}
