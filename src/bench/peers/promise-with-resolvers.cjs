// PostGraphile 5 (Node >= 22) calls Promise.withResolvers, which Node 20 lacks: preloaded with --require.
if (typeof Promise.withResolvers !== 'function') Promise.withResolvers = function withResolvers() { let resolve, reject; const promise = new this((ok, ko) => { resolve = ok; reject = ko; }); return { promise, resolve, reject }; };
