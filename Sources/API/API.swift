// The REST API of `pumpsim serve`: Types.swift and Server.swift in GeneratedSources are
// generated from openapi.yaml by swift-openapi-generator and committed (see Package.swift).
// LiveServer implements `APIProtocol` and registers it on the Hummingbird router.
