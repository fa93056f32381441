// An ES module handler: module state persists between calls of one worker.
let calls = 0;

class OrderError extends Error {
  constructor(message) {
    super(message);
    this.name = "OrderError";
  }
}

export const handler = async (event, context) => {
  calls += 1;
  console.log("call", calls); // goes to stderr, never into the result
  if (event.fail === "custom") throw new OrderError("order refused");
  if (event.fail === "exit") process.exit(3);
  return {
    calls,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    logGroupName: context.logGroupName,
    requestIdIsUuid: context.awsRequestId.length === 36,
    leftMs: context.getRemainingTimeInMillis() <= 10000 ? "under 10 s" : "more",
  };
};
