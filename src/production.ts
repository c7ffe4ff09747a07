/**
 * Imported first by the server's entry: a process started without NODE_ENV runs in production, as
 * Passerelle's own configuration already reads it (src/config.ts). graphql-js decides at load time: outside
 * production its `instanceOf` checks every failed type test for a duplicate graphql module, a cost paid on
 * every field of every response.
 */
process.env.NODE_ENV ??= 'production';
