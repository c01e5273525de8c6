import { manageNamedTransformations } from '../shared/manage/named-transformations';
import { registerHttp } from './register';

registerHttp('namedTransformations', {
  route: 'v1/named-transformations/{id?}',
  methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  authLevel: 'anonymous',
  handler: manageNamedTransformations,
});
