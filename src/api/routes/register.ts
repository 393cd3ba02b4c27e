// POST /register: content type, JSON, schema and target policy checked (the size limit is app-wide), then stored durably.
import { Hono, type MiddlewareHandler } from 'hono';
import { dependencyCycle, type RegistrationRequest, type TargetPolicy } from '../../domain/index.js';
import { requireToken } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, type ErrorDetail } from '../errors.js';
import { readBodyText } from '../read-body.js';
import {
  issuesToDetails,
  REGISTRATION_LIMITS,
  registrationBody,
  registrationSchema,
  reservedKeyDetails,
} from '../registration-schema.js';
import {
  errorResponses,
  jsonResponse,
  requiresToken,
  SHUTTING_DOWN,
  STORAGE_UNAVAILABLE,
  UNAUTHORIZED,
  type DocumentRoutes,
} from '../route-docs.js';
import { contextOf, serviceView, serviceViewSchema } from '../views.js';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

const requireJson: MiddlewareHandler = async (c, next) => {
  const type = c.req.header('content-type') ?? '';
  if (!JSON_TYPE.test(type)) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `Content-Type must be application/json, not "${type || 'missing'}"`,
    );
  }
  await next();
};

function parseJson(text: string): unknown {
  if (text.trim() === '') throw new ApiError(400, 'invalid_json', 'body is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError(400, 'invalid_json', `body is not valid JSON: ${reason}`);
  }
}

/**
 * The probe URL and the service's own webhook_url under ALLOW_TARGETS and the refusal of link-local and
 * cloud metadata addresses (src/domain/target-policy.ts): the monitor connects to both, so a registrant
 * could otherwise aim either at an internal address.
 */
function targetRefusals(policy: TargetPolicy, request: RegistrationRequest): ErrorDetail[] {
  const refusals: ErrorDetail[] = [];
  const urlProblem = policy.check(new URL(request.url).hostname);
  if (urlProblem !== null) refusals.push({ field: 'url', message: urlProblem });
  if (request.webhookUrl !== undefined) {
    const webhookProblem = policy.check(new URL(request.webhookUrl).hostname);
    if (webhookProblem !== null) refusals.push({ field: 'webhook_url', message: webhookProblem });
  }
  return refusals;
}

export function registerRoutes(deps: ApiDeps): Hono {
  const schema = registrationSchema(deps.defaults);
  const now = deps.now ?? Date.now;
  const routes = new Hono();
  // A declared length is checked for every route (body-limit.ts); a chunked body while it is read.
  routes.post('/register', requireToken(deps.registerToken), requireJson, async (c) => {
    const body = parseJson(await readBodyText(c, REGISTRATION_LIMITS.maxBodyBytes));
    const parsed = schema.safeParse(body);
    const details = [...(parsed.success ? [] : issuesToDetails(parsed.error.issues)), ...reservedKeyDetails(body)];
    if (!parsed.success || details.length > 0) {
      const summary = details.map((detail) => `${detail.field} ${detail.message}`).join('; ');
      throw new ApiError(400, 'invalid_registration', `invalid registration: ${summary}`, details);
    }
    const refused = targetRefusals(deps.targetPolicy, parsed.data);
    if (refused.length > 0) {
      const summary = refused.map((detail) => `${detail.field} ${detail.message}`).join('; ');
      throw new ApiError(400, 'invalid_registration', `invalid registration: ${summary}`, refused);
    }
    const cycle = dependencyCycle(
      parsed.data.id,
      parsed.data.dependsOn ?? [],
      (id) => deps.store.get(id)?.request.dependsOn,
    );
    if (cycle !== null) {
      const detail = { field: 'depends_on', message: `would make a dependency cycle: ${cycle.join(' → ')}` };
      throw new ApiError(400, 'invalid_registration', `invalid registration: depends_on ${detail.message}`, [detail]);
    }
    const { record, created } = await deps.store.register(parsed.data);
    return c.json(serviceView(record, now(), contextOf(deps.store)), created ? 201 : 200);
  });
  return routes;
}

export const documentRegisterRoutes: DocumentRoutes = (registry) => {
  registry.registerPath({
    method: 'post',
    path: '/register',
    summary: 'Register a service, or replace the settings of a registered one',
    description: 'Acknowledged only once stored durably. The history is kept on a re-registration with the same URL.',
    security: requiresToken,
    request: { body: { required: true, content: { 'application/json': { schema: registrationBody } } } },
    responses: {
      201: jsonResponse('A new service, as stored', serviceViewSchema),
      200: jsonResponse('A known id registered again, with its new settings', serviceViewSchema),
      ...errorResponses({
        400: '`invalid_json`: the body is not JSON; `invalid_registration`: one `details` entry per bad or unknown field, per `url` or `webhook_url` whose host ALLOW_TARGETS or the metadata refusal turns away, and for a `depends_on` that would close a loop (the loop named)',
        401: UNAUTHORIZED,
        413: `\`payload_too_large\`: the body is over ${REGISTRATION_LIMITS.maxBodyBytes} bytes`,
        415: '`unsupported_media_type`: the Content-Type is not JSON',
        503: `${STORAGE_UNAVAILABLE}; ${SHUTTING_DOWN}`,
      }),
    },
  });
};
