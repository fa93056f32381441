// A CommonJS handler, and one that answers through its callback.
let calls = 0;
exports.handler = async (event) => {
  calls += 1;
  return { calls, style: "commonjs" };
};
exports.withCallback = (event, context, callback) => {
  setTimeout(() => callback(null, { echoed: event }), 5);
};
exports.typeError = async () => {
  null.x;
};
