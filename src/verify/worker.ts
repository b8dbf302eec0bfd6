/**
 * A verify worker process: takes jobs from its parent over IPC, runs each against its own
 * embedded mock and sends the result back. Separate processes keep one fault's mock state away
 * from another's and use both cores.
 */
import { runVerifyJob } from './job';
import type { VerifyJob } from './plan';

process.on('message', (message: { job: VerifyJob }) => {
  void runVerifyJob(message.job).then((result) => process.send?.({ result }));
});
