// Example service 1: always healthy, with a rare error (about 1 request in 100).
import { readServiceOptions } from '../shared/options.js';
import { runExampleService } from '../shared/example-service.js';

const options = readServiceOptions({ id: 'svc1', port: 9001 });
await runExampleService(options, {
  attributes: { service: 'user', env: 'prod' },
  errorChance: () => 0.01,
});
