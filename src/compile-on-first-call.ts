// Route schemas compiled on a route's first request instead of at start. Fastify compiles every
// route's validators (ajv) and response serializers (fast-json-stringify) before it listens: about
// 0.7 s of a 4.5 s cold start, for routes a given process may never serve. A route's first request
// pays for its own schemas (milliseconds) instead. test/openapi.test.ts compiles every route's
// schemas, so a schema that does not compile still fails the tests.
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Compiled = ((...args: never[]) => unknown) & { errors?: unknown };
export type CompiledOnFirstCall<F extends Compiled> = F & { compiled: () => F };

/** `compile()`'s function, made on the first call (or by `compiled()`). */
export function compileOnFirstCall<F extends Compiled>(compile: () => F): CompiledOnFirstCall<F> {
  let fn: F | undefined;
  const compiled = () => (fn ??= compile());
  const call = function (this: unknown, ...args: Parameters<F>) {
    const f = compiled();
    const result = f.apply(this, args);
    // ajv leaves a failed validation's errors on the function itself, where Fastify reads them.
    call.errors = f.errors;
    return result;
  } as unknown as CompiledOnFirstCall<F>;
  call.compiled = compiled;
  return call;
}

type BuildSerializer = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildSerializer']
>;

/** Fastify's own response serializer factory (fast-json-stringify), compiling each on first use. */
export const buildSerializerOnFirstCall: BuildSerializer = (externalSchemas, serializerOptions) => {
  const compile = SerializerSelector()(externalSchemas, serializerOptions);
  return (route) => compileOnFirstCall(() => compile(route));
};
