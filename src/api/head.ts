// Hono answers HEAD by running the GET handler and dropping the body it returns. A handler whose body
// is a stream (nobody would read it, so nothing would end it) or costly to build asks this first and
// answers the headers alone.
import type { Context } from 'hono';

export const isHead = (c: Context): boolean => c.req.method === 'HEAD';
