// Vitest runs domain code outside Next's react-server graph, where `server-only` would throw.
export {};
