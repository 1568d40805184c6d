import type { Ec2Error } from './ec2-port.js';

/**
 * Acts on ids up to 1000 a call. EC2 fails a whole call when one id is unknown (already gone), naming the
 * gone ids in its message: the call is sent again without them, since what is gone needs no terminating or
 * cancelling. When the message names none of the batch, each id is sent alone. Other errors are thrown.
 */
export async function sendSkippingGone(
  ids: readonly string[],
  send: (batch: string[]) => Promise<unknown>,
): Promise<void> {
  const sendIgnoringGone = async (batch: string[]): Promise<Ec2Error | undefined> => {
    try {
      await send(batch);
      return undefined;
    } catch (error) {
      if ((error as Ec2Error).kind !== 'not-found') throw error;
      return error as Ec2Error;
    }
  };
  for (let i = 0; i < ids.length; i += 1000) {
    let batch = ids.slice(i, i + 1000);
    for (;;) {
      const error = await sendIgnoringGone(batch);
      if (error === undefined || batch.length === 1) break;
      const named = new Set(error.message.match(/\b[a-z]+-[0-9a-z]+\b/g));
      const rest = batch.filter((id) => !named.has(id));
      if (rest.length === batch.length) {
        for (const id of batch) await sendIgnoringGone([id]);
        break;
      }
      if (rest.length === 0) break;
      batch = rest;
    }
  }
}
