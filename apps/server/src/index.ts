// Public entry of lockstep-server for tests and apps/bench: start a server in-process.
export { startServer } from './server.js';
export type { ServerHandle, StartServerOptions } from './server.js';
export { parseArguments, helpText } from './config/parse-config.js';
export type { ParsedArguments } from './config/parse-config.js';
export { OPTIONS } from './config/options.js';
export type { OptionName, ServerConfig } from './config/options.js';
export { resolveAccounts } from './users.js';
