// src/postgres: the migrations runner, the pool and the projection's queries; may import codec, shared.
