// DiptychServer.swift: `diptych serve` as a library: opens the studio (Outputs/studio.sqlite, the
// queue the CLI uses), loads the model once per in-process worker, builds the Hummingbird 2 router
// (guard middleware, A1111 routes, Diptych's /v1 routes) and runs the HTTP server and the worker
// pool in one ServiceLifecycle group. SIGINT/SIGTERM (or `shutdown()`) shut both down gracefully:
// the server stops accepting, waiting requests answer 503, workers finish the batch in hand, and
// queued items stay in the store for the next start. Built from Hummingbird's README and
// Application/ServiceGroup documentation (docs.hummingbird.codes, swift-service-lifecycle).
import Core
import Foundation
import Hummingbird
import ServiceLifecycle
import Studio

public final class DiptychServer: @unchecked Sendable {
    public let settings: ServerSettings
    public let gateway: StudioGateway
    private let lock = NSLock()
    private var group: ServiceGroup?
    private var boundPort: Int?

    public init(settings: ServerSettings) throws {
        try settings.validate()
        self.settings = settings
        let queue = try StudioQueue(outputsRoot: settings.outputs)
        let board = ProgressBoard(workers: settings.workers)
        let pool = try WorkerPool(settings: settings, queue: queue, board: board)
        gateway = StudioGateway(queue: queue, pool: pool, board: board, settings: settings)
    }

    /// Every route the server answers (the OpenAPI document lists the same).
    public static var routes: [(method: String, path: String)] { A1111Routes.paths + [("POST", "/sdapi/v1/skip")] + DiptychRoutes.paths }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(GuardMiddleware<BasicRequestContext>(settings: settings))
        A1111Routes.register(on: router, gateway: gateway)
        DiptychRoutes.register(on: router, gateway: gateway)
        return router
    }

    /// The port the server listens on once running (useful with port 0).
    public var port: Int? {
        lock.withLock { boundPort }
    }

    /// Runs until shutdown. `signals`: take SIGINT/SIGTERM as the shutdown request (the CLI).
    public func run(signals: Bool, onRunning: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "diptych/\(ServerInfo.version)"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? settings.port
                lock.withLock { boundPort = port }
                onRunning(port)
            })
        var config = ServiceGroupConfiguration(services: [app, gateway.pool], logger: app.logger)
        if signals { config.gracefulShutdownSignals = [.sigterm, .sigint] }
        config.maximumGracefulShutdownDuration = .seconds(120)
        let group = ServiceGroup(configuration: config)
        lock.withLock { self.group = group }
        try await group.run()
    }

    public func shutdown() async {
        let group = lock.withLock { self.group }
        await group?.triggerGracefulShutdown()
    }
}
