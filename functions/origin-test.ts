import { testOriginAccess } from '../shared/manage/origin-test';
import { registerHttp } from './register';

registerHttp('originTest', { route: 'v1/accounts/origins/{id}/test', methods: ['POST'], authLevel: 'anonymous', handler: testOriginAccess });
