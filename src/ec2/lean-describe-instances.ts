import { Readable } from 'node:stream';
import type { Instance } from '@aws-sdk/client-ec2';
import { InstanceMemo } from './instance-memo.js';
import { parseDescribeInstances } from './parse-describe-instances.js';

/**
 * The lean reader's result, by the raw response it was read from: it waits there between the two middlewares
 * of one call. Not on the handler context, which a client with `cacheMiddleware` shares between calls.
 */
const leanOutputs = new WeakMap<object, ReturnType<typeof parseDescribeInstances>>();
/** What the SDK's deserialiser then reads instead of the real body: nothing to do. */
const EMPTY_RESPONSE =
  '<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><reservationSet/></DescribeInstancesResponse>';

interface StackClient {
  middlewareStack: {
    addRelativeTo(
      middleware: unknown,
      options: { relation: 'before' | 'after'; toMiddleware: string; name: string; override?: boolean },
    ): void;
  };
}

interface MiddlewareContext {
  commandName?: string;
}

interface RawResponse {
  statusCode: number;
  body: AsyncIterable<Uint8Array> | undefined;
}

/**
 * Makes `client` read successful DescribeInstances responses with the lean reader. The SDK still builds,
 * signs and sends the request and deserialises errors; only a 200 body is read here, and the SDK's own
 * deserialiser is handed an empty page.
 */
export function useLeanDescribeInstances(client: StackClient, onRead?: (instances: number) => void): void {
  const memo = new InstanceMemo<Instance>();
  const readBody =
    (next: (args: unknown) => Promise<{ response: RawResponse }>, context: MiddlewareContext) =>
    async (args: unknown) => {
      const result = await next(args);
      const { response } = result;
      if (context.commandName !== 'DescribeInstancesCommand' || response.statusCode !== 200 || !response.body)
        return result;
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
      const parsed = parseDescribeInstances(Buffer.concat(chunks), memo);
      leanOutputs.set(response, parsed);
      onRead?.(parsed.Reservations[0]?.Instances?.length ?? 0);
      response.body = Readable.from([Buffer.from(EMPTY_RESPONSE)]);
      return result;
    };
  const useOutput =
    (next: (args: unknown) => Promise<{ response: RawResponse; output: object }>) =>
    async (args: unknown) => {
      const result = await next(args);
      const lean = leanOutputs.get(result.response);
      return lean ? { ...result, output: { ...result.output, ...lean } } : result;
    };
  client.middlewareStack.addRelativeTo(readBody, {
    relation: 'after',
    toMiddleware: 'deserializerMiddleware',
    name: 'leanDescribeInstancesBody',
    override: true,
  });
  client.middlewareStack.addRelativeTo(useOutput, {
    relation: 'before',
    toMiddleware: 'deserializerMiddleware',
    name: 'leanDescribeInstancesOutput',
    override: true,
  });
}
