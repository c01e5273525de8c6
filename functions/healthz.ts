import { health } from '../shared/health';
import { registerHttp } from './register';

registerHttp('healthz', { route: 'healthz', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: health });
