/**
 * Offline checks of infra/: no Bicep compiler reaches this machine, so the templates are checked
 * by every means that runs here. CI on GitHub also runs `az bicep build` and the linter.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import Parser from 'tree-sitter';
import Bicep from 'tree-sitter-bicep';
import { settingNames } from '../../shared/settings';

type Node = Parser.SyntaxNode;

const repoRoot = resolve(__dirname, '..', '..');
const infraDir = join(repoRoot, 'infra');
/** The project's Azure reference note sits beside the repository (not inside it) when present. */
/** The role ids as Microsoft publishes them (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles), kept in the repository. */
const azureReference = join(repoRoot, 'docs', 'azure-reference.md');

const parser = new Parser();
parser.setLanguage(Bicep as unknown as Parser.Language);

function bicepFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return bicepFiles(full);
    return name.endsWith('.bicep') ? [full] : [];
  });
}

function parse(file: string): Node {
  return parser.parse(readFileSync(file, 'utf8')).rootNode;
}

function descendants(node: Node, type: string): Node[] {
  const found: Node[] = [];
  const walk = (n: Node) => {
    if (n.type === type) found.push(n);
    for (const child of n.namedChildren) walk(child);
  };
  walk(node);
  return found;
}

/** ERROR and MISSING nodes, as `file:line:column type`. */
function syntaxProblems(root: Node, label: string): string[] {
  const problems: string[] = [];
  const walk = (n: Node) => {
    if (n.type === 'ERROR' || n.isMissing) {
      problems.push(`${label}:${n.startPosition.row + 1}:${n.startPosition.column + 1} ${n.isMissing ? `MISSING ${n.type}` : 'ERROR'}`);
    }
    for (const child of n.children) walk(child);
  };
  walk(root);
  return problems;
}

/** The value of a string literal, or undefined when it interpolates. */
function literal(node: Node | null | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  if (node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
  return node.namedChildren
    .filter((c) => c.type === 'string_content' || c.type === 'escape_sequence')
    .map((c) => c.text)
    .join('');
}

function propertyKey(property: Node): string {
  const key = property.namedChildren[0];
  return literal(key) ?? key.text;
}

/** The direct properties of an object node, by key. */
function properties(object: Node): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const property of object.namedChildren.filter((c) => c.type === 'object_property')) {
    map.set(propertyKey(property), property.namedChildren[property.namedChildren.length - 1]);
  }
  return map;
}

function variable(root: Node, name: string): Node | undefined {
  const declaration = descendants(root, 'variable_declaration').find((d) => d.namedChildren[0].text === name);
  return declaration?.namedChildren[declaration.namedChildren.length - 1];
}

interface Param {
  name: string;
  hasDefault: boolean;
}

function params(root: Node): Param[] {
  return descendants(root, 'parameter_declaration').map((d) => {
    // identifier, type, then the default value when there is one
    const rest = d.namedChildren.slice(1).filter((c) => c.type !== 'type');
    return { name: d.namedChildren[0].text, hasDefault: rest.length > 0 };
  });
}

/** `type@version` strings of every resource declaration. */
function resourceTypes(root: Node): string[] {
  return descendants(root, 'resource_declaration').map((d) => literal(d.namedChildren[1]) ?? d.namedChildren[1].text);
}

/** Every object in the tree that has a `name` and a `parameters.typeName`: rule conditions and actions. */
function ruleParts(root: Node): { name: string; typeName: string; line: number }[] {
  return descendants(root, 'object').flatMap((o) => {
    const props = properties(o);
    const name = literal(props.get('name'));
    const parameters = props.get('parameters');
    if (!name || !parameters || parameters.type !== 'object') return [];
    const typeName = literal(properties(parameters).get('typeName'));
    return typeName ? [{ name, typeName, line: o.startPosition.row + 1 }] : [];
  });
}

const files = bicepFiles(infraDir);
const trees = new Map(files.map((f) => [f, parse(f)]));
const rel = (f: string) => relative(repoRoot, f);
const mainFile = join(infraDir, 'main.bicep');
const apiVersions = JSON.parse(readFileSync(join(infraDir, 'api-versions.json'), 'utf8')) as {
  resourceTypes: Record<string, { apiVersions: string[]; source: string }>;
  frontDoorRuleConditions: Record<string, { typeName: string; source: string }>;
  frontDoorRuleActions: Record<string, { typeName: string; source: string }>;
};
const roleDefinitions = JSON.parse(readFileSync(join(infraDir, 'role-definitions.json'), 'utf8')) as {
  roles: Record<string, string>;
};

describe('infra: Bicep syntax', () => {
  it('finds the main template and its modules', () => {
    expect(files).toContain(mainFile);
    expect(files.length).toBeGreaterThan(1);
  });

  it.each(files.map((f) => [rel(f), f]))('%s parses with no ERROR or MISSING node', (label, file) => {
    expect(syntaxProblems(trees.get(file)!, label)).toEqual([]);
  });

  it('the syntax check catches a broken template', () => {
    const broken = readFileSync(mainFile, 'utf8').replace("targetScope = 'resourceGroup'", "targetScope = 'resourceGroup");
    expect(syntaxProblems(parser.parse(broken).rootNode, 'broken').length).toBeGreaterThan(0);
    expect(syntaxProblems(parser.parse('resource x \'a@b\' = {\n  name: \'x\'\n').rootNode, 'open').length).toBeGreaterThan(0);
  });

  it('every module path points at a file', () => {
    for (const [file, root] of trees) {
      for (const module of descendants(root, 'module_declaration')) {
        const path = literal(module.namedChildren[1]);
        expect(path).toBeDefined();
        expect(existsSync(resolve(dirname(file), path!))).toBe(true);
      }
    }
  });
});

describe('infra: resource types and API versions', () => {
  it('every source entry cites something', () => {
    for (const [type, entry] of Object.entries(apiVersions.resourceTypes)) {
      expect({ type, ok: entry.apiVersions.length > 0 && /docs\/azure-reference\.md|https:\/\/learn\.microsoft\.com\//.test(entry.source) }).toEqual({ type, ok: true });
    }
  });

  it('every resource type@apiVersion used is in infra/api-versions.json', () => {
    const unlisted: string[] = [];
    const used = new Set<string>();
    for (const [file, root] of trees) {
      for (const typeAtVersion of resourceTypes(root)) {
        const [type, version] = typeAtVersion.split('@');
        used.add(type);
        if (!apiVersions.resourceTypes[type]?.apiVersions.includes(version)) unlisted.push(`${rel(file)}: ${typeAtVersion}`);
      }
    }
    expect(unlisted).toEqual([]);
    // The list holds nothing the templates do not use, so it stays a true record.
    expect(Object.keys(apiVersions.resourceTypes).filter((t) => !used.has(t))).toEqual([]);
  });

  it('every Front Door rule condition and action is a documented one with its type name', () => {
    const wrong: string[] = [];
    const frontDoor = join(infraDir, 'modules', 'front-door.bicep');
    const parts = ruleParts(trees.get(frontDoor)!);
    expect(parts.length).toBeGreaterThan(0);
    for (const part of parts) {
      const known = apiVersions.frontDoorRuleConditions[part.name] ?? apiVersions.frontDoorRuleActions[part.name];
      if (known?.typeName !== part.typeName) wrong.push(`front-door.bicep:${part.line} ${part.name}/${part.typeName}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('infra: parameters', () => {
  const mainParams = params(trees.get(mainFile)!);
  const parameterFile = JSON.parse(readFileSync(join(infraDir, 'main.parameters.json'), 'utf8')) as {
    parameters: Record<string, unknown>;
  };

  it('every parameter in main.parameters.json exists in main.bicep', () => {
    const declared = new Set(mainParams.map((p) => p.name));
    expect(Object.keys(parameterFile.parameters).filter((p) => !declared.has(p))).toEqual([]);
  });

  it('every required parameter of main.bicep is provided by main.parameters.json', () => {
    const required = mainParams.filter((p) => !p.hasDefault).map((p) => p.name);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((p) => !(p in parameterFile.parameters))).toEqual([]);
  });

  it('every module call passes only declared params and all required ones', () => {
    const problems: string[] = [];
    for (const [file, root] of trees) {
      for (const module of descendants(root, 'module_declaration')) {
        const target = resolve(dirname(file), literal(module.namedChildren[1])!);
        const declared = params(trees.get(target) ?? parse(target));
        const last = module.namedChildren[module.namedChildren.length - 1];
        // A module loop (`[for ... : { ... }]`) passes the params of its one body object.
        const body = last.type === 'object' ? last : descendants(last, 'object')[0];
        const passedNode = properties(body).get('params');
        const passed = passedNode ? [...properties(passedNode).keys()] : [];
        for (const p of passed) {
          if (!declared.some((d) => d.name === p)) problems.push(`${rel(file)} -> ${rel(target)}: unknown param ${p}`);
        }
        for (const d of declared) {
          if (!d.hasDefault && !passed.includes(d.name)) problems.push(`${rel(file)} -> ${rel(target)}: missing param ${d.name}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('infra: role definitions', () => {
  const normalise = (name: string) => name.replace(/[^a-z]/gi, '').toLowerCase();
  const documented = new Map(Object.entries(roleDefinitions.roles).map(([name, id]) => [normalise(name), id.toLowerCase()]));

  it('the role ids in the Bicep match the documented built-in roles by name', () => {
    const rolesFile = join(infraDir, 'modules', 'role-assignments.bicep');
    const roles = variable(trees.get(rolesFile)!, 'roles');
    expect(roles?.type).toBe('object');
    const mismatched: string[] = [];
    for (const [name, value] of properties(roles!)) {
      const id = literal(value)?.toLowerCase();
      if (documented.get(normalise(name)) !== id) mismatched.push(`${name} = ${id}`);
    }
    expect(mismatched).toEqual([]);
    expect(properties(roles!).size).toBeGreaterThanOrEqual(6);
  });

  it('no other role id is written anywhere in the Bicep', () => {
    const guid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
    const known = new Set(documented.values());
    const stray = files.flatMap((f) => (readFileSync(f, 'utf8').match(guid) ?? []).filter((g) => !known.has(g.toLowerCase())).map((g) => `${rel(f)}: ${g}`));
    expect(stray).toEqual([]);
  });

  it('infra/role-definitions.json agrees with the role table in docs/azure-reference.md', () => {
    const table = new Map<string, string>();
    for (const match of readFileSync(azureReference, 'utf8').matchAll(/^\|\s*([A-Za-z][A-Za-z ]+?)\s*\|\s*`([0-9a-f-]{36})`\s*\|/gm)) {
      table.set(normalise(match[1]), match[2].toLowerCase());
    }
    const disagreeing = [...documented].filter(([name, id]) => table.get(name) !== id).map(([name]) => name);
    expect(disagreeing).toEqual([]);
  });
});

describe('infra: app settings', () => {
  const settingsFile = join(infraDir, 'modules', 'app-settings.bicep');
  const root = trees.get(settingsFile)!;
  const explicit = [...properties(variable(root, 'appSettings')!).keys()];
  const tunable = (variable(root, 'tunableSettingNames')?.namedChildren ?? []).map((n) => literal(n));

  it('every setting the app reads (shared/settings.ts) is set by the template', () => {
    const set = new Set([...explicit, ...tunable]);
    expect(settingNames.length).toBeGreaterThan(0);
    expect(settingNames.filter((name) => !set.has(name))).toEqual([]);
  });

  it('tunable settings are plain names and are not also set explicitly', () => {
    expect(tunable.every((t) => typeof t === 'string')).toBe(true);
    expect(tunable.filter((t) => explicit.includes(t!))).toEqual([]);
  });

  it('sets no setting that Flex Consumption rejects (docs/azure-reference.md)', () => {
    const rejected = ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_RUN_FROM_PACKAGE', 'WEBSITE_CONTENTSHARE', 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING', 'SCM_DO_BUILD_DURING_DEPLOYMENT', 'ENABLE_ORYX_BUILD', 'WEBSITE_NODE_DEFAULT_VERSION', 'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT', 'WEBSITE_TIME_ZONE', 'TZ'];
    expect([...explicit, ...tunable].filter((name) => rejected.includes(name!))).toEqual([]);
  });

  it('secrets reach the app only as Key Vault references; storage is reached with the identity, no key', () => {
    const settings = properties(variable(root, 'appSettings')!);
    expect(settings.get('PRIVATE_API_KEY')?.text).toMatch(/^'@Microsoft\.KeyVault\(VaultName=/);
    expect(settings.get('STORAGE_CONNECTION_STRING')?.text).toBe("''");
    expect(settings.get('STORAGE_ACCOUNT_NAME')?.text).toBe('dataStorage.name');
  });
});

/** A resource declaration by its symbolic name, in one file. */
function resource(file: string, symbol: string): Node | undefined {
  return descendants(trees.get(join(infraDir, file))!, 'resource_declaration').find((d) => d.namedChildren[0].text === symbol);
}

describe('infra: durable edge purges', () => {
  const functionsDir = join(repoRoot, 'functions');
  const connections = readdirSync(functionsDir).flatMap((f) => [...readFileSync(join(functionsDir, f), 'utf8').matchAll(/connection: '([A-Za-z0-9_]+)'/g)].map((m) => m[1]));
  const appSettings = properties(variable(trees.get(join(infraDir, 'modules', 'app-settings.bicep'))!, 'appSettings')!);

  it('creates the purge queue and its poison queue in the data account', () => {
    const queues = resource('modules/storage.bicep', 'purgeQueues');
    expect(queues?.text).toMatch(/Microsoft\.Storage\/storageAccounts\/queueServices\/queues@/);
    expect(queues?.text).toContain('purgeQueueName');
    expect(queues?.text).toContain("'${purgeQueueName}-poison'");
    expect(resource('modules/storage.bicep', 'dataQueueService')?.text).toContain('parent: dataStorage');
  });

  it('gives the app Storage Queue Data Contributor on exactly those two queues', () => {
    const assignment = resource('modules/role-assignments.bicep', 'purgeQueueContributors')!;
    expect(assignment.text).toContain('scope: purgeQueues[i]');
    expect(assignment.text).toContain('roles.storageQueueDataContributor');
    expect(resource('modules/role-assignments.bicep', 'purgeQueues')?.text).toContain("'${purgeQueueName}-poison'");
  });

  it('sets each queue trigger connection the functions name, identity-based, to the data account queue service', () => {
    expect(connections).toEqual(['PURGE_QUEUE_CONNECTION', 'PURGE_QUEUE_CONNECTION']);
    for (const connection of new Set(connections)) {
      expect(appSettings.get(`${connection}__queueServiceUri`)?.text).toBe('dataStorage.properties.primaryEndpoints.queue');
    }
    expect(appSettings.get('STORAGE_QUEUE_ENDPOINT')?.text).toBe('dataStorage.properties.primaryEndpoints.queue');
    expect(appSettings.get('PURGE_QUEUE')?.text).toBe('purgeQueueName');
  });

  it('host.json gives the queue trigger retries before the poison queue', () => {
    const queues = (JSON.parse(readFileSync(join(repoRoot, 'host.json'), 'utf8')) as { extensions: { queues: { maxDequeueCount: number; visibilityTimeout: string } } }).extensions.queues;
    expect(queues.maxDequeueCount).toBeGreaterThan(1);
    expect(queues.visibilityTimeout).not.toBe('00:00:00');
  });
});

describe('infra: least privilege', () => {
  it('purges with a custom role holding only the endpoint read and purge actions, assigned on the endpoint', () => {
    const role = resource('modules/role-assignments.bicep', 'purgeRole')!;
    expect(literal(role.namedChildren[1])).toBe('Microsoft.Authorization/roleDefinitions@2022-04-01');
    const body = properties(role.namedChildren[role.namedChildren.length - 1]);
    const props = properties(body.get('properties')!);
    expect(literal(props.get('type'))).toBe('CustomRole');
    const permissions = props.get('permissions')!.namedChildren;
    expect(permissions).toHaveLength(1);
    const permission = properties(permissions[0]);
    expect(permission.get('actions')!.namedChildren.map((a) => literal(a))).toEqual(['Microsoft.Cdn/profiles/afdendpoints/read', 'Microsoft.Cdn/profiles/afdendpoints/purge/action']);
    expect(permission.get('notActions')!.namedChildren).toEqual([]);
    expect([...permission.keys()].sort()).toEqual(['actions', 'notActions']);
    expect(props.get('assignableScopes')!.text.replace(/\s+/g, '')).toBe('[resourceGroup().id]');

    const assignment = properties(resource('modules/role-assignments.bicep', 'frontDoorPurger')!.namedChildren.at(-1)!);
    expect(assignment.get('scope')?.text).toBe('frontDoorEndpoint');
    expect(properties(assignment.get('properties')!).get('roleDefinitionId')?.text).toBe('purgeRole.id');
    // No built-in CDN role anywhere.
    expect(files.filter((f) => /ec156ff8-a8d1-4d15-830c-5b80698ca432|cdnProfileContributor/i.test(readFileSync(f, 'utf8'))).map(rel)).toEqual([]);
  });

  it('turns off FTP and SCM basic publishing credentials on the app', () => {
    const policies = resource('modules/function-app.bicep', 'publishingCredentials')!;
    expect(literal(policies.namedChildren[1])).toBe('Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01');
    const loop = policies.namedChildren.at(-1)!;
    expect(descendants(loop, 'array')[0].namedChildren.map((n) => literal(n))).toEqual(['ftp', 'scm']);
    expect(loop.text).toMatch(/parent: functionApp/);
    expect(properties(properties(descendants(loop, 'object')[0]).get('properties')!).get('allow')?.text).toBe('false');
  });
});

/** A parameter declaration by name, in main.bicep. */
function mainParam(name: string): Node {
  return descendants(trees.get(mainFile)!, 'parameter_declaration').find((d) => d.namedChildren[0].text === name)!;
}

/** The decorators of a declaration (the grammar puts them in a node just before it). */
function decoratorsOf(declaration: Node): Node[] {
  const node = declaration.previousNamedSibling;
  return node?.type === 'decorators' ? node.namedChildren : [];
}

describe('infra: edge and template', () => {
  const frontDoorFile = join(infraDir, 'modules', 'front-door.bicep');
  const frontDoor = trees.get(frontDoorFile)!;

  it('w-auto / dpr-auto URLs, in the path or the query, are not cached at the edge, on every strategy', () => {
    const markers = variable(frontDoor, 'clientHintMarkers')!.namedChildren.map((n) => literal(n));
    expect(markers).toEqual(['w-auto', 'dpr-auto']);
    const override = properties(variable(frontDoor, 'withoutEdgeCache')!);
    expect(literal(override.get('name'))).toBe('RouteConfigurationOverride');
    // No cacheConfiguration: caching is off for the matched request.
    expect([...properties(override.get('parameters')!).keys()].sort()).toEqual(['originGroupOverride', 'typeName']);
    const conditions: string[] = [];
    for (const symbol of ['clientHintPath', 'clientHintQuery']) {
      const rule = resource('modules/front-door.bicep', symbol)!;
      // Unconditional resources: no `if (...)` before the body.
      expect(rule.namedChildren.at(-1)!.type).toBe('object');
      const props = properties(properties(rule.namedChildren.at(-1)!).get('properties')!);
      const condition = properties(props.get('conditions')!.namedChildren[0]);
      const parameters = properties(condition.get('parameters')!);
      expect([literal(parameters.get('operator')), parameters.get('negateCondition')?.text, parameters.get('matchValues')?.text]).toEqual(['Contains', 'false', 'clientHintMarkers']);
      conditions.push(literal(condition.get('name'))!);
      expect(props.get('actions')!.namedChildren.map((a) => a.text)).toEqual(['withoutEdgeCache']);
    }
    expect(conditions).toEqual(['UrlPath', 'QueryString']);
    const imageRoute = properties(properties(resource('modules/front-door.bicep', 'imageRoute')!.namedChildren.at(-1)!).get('properties')!);
    expect(imageRoute.get('ruleSets')!.text).toMatch(/^concat\(clientHintRuleSetRefs,/);
  });

  it('location is limited to Flex Consumption regions, and azd asks for it as a location', () => {
    const decorators = decoratorsOf(mainParam('location'));
    expect(decorators.find((d) => d.text.startsWith('@metadata'))?.text).toMatch(/azd:\s*\{\s*type:\s*'location'/);
    const allowed = descendants(decorators.find((d) => d.text.startsWith('@allowed'))!, 'string').map((n) => literal(n));
    expect(allowed).toEqual(expect.arrayContaining(['eastus', 'westeurope', 'swedencentral', 'australiaeast']));
    expect(allowed.every((region) => /^[a-z0-9]+$/.test(region!))).toBe(true);
  });

  it('the health probe is a parameter, off by default', () => {
    expect(mainParam('healthProbe').text).toMatch(/bool = false$/);
    const originGroup = properties(properties(resource('modules/front-door.bicep', 'originGroup')!.namedChildren.at(-1)!).get('properties')!);
    expect(originGroup.get('healthProbeSettings')!.text).toMatch(/^healthProbe\s*\?[\s\S]*:\s*null$/);
  });

  it('host storage and Resource Manager follow the cloud deployed to', () => {
    const settings = properties(variable(trees.get(join(infraDir, 'modules', 'app-settings.bicep'))!, 'appSettings')!);
    expect(settings.has('AzureWebJobsStorage__accountName')).toBe(false);
    expect(settings.get('AzureWebJobsStorage__blobServiceUri')?.text).toBe('hostStorage.properties.primaryEndpoints.blob');
    expect(settings.get('RESOURCE_MANAGER_ENDPOINT')?.text).toBe('environment().resourceManager');
    // No public-cloud host name is written anywhere: every endpoint comes from the deployed resources.
    expect(files.filter((f) => /core\.windows\.net|management\.azure\.com|azurewebsites\.net/.test(readFileSync(f, 'utf8'))).map(rel)).toEqual([]);
  });

  it('azd waits after provisioning for the new role assignments, counting from the deployment', () => {
    const azureYaml = readFileSync(join(repoRoot, 'azure.yaml'), 'utf8');
    const hooks = ['hooks:', '  postprovision:', '    posix:', '      shell: sh', '      run: node infra/hooks/wait-for-roles.js', '    windows:', '      shell: pwsh', '      run: node infra/hooks/wait-for-roles.js'];
    expect(`\n${azureYaml}\n`).toContain(`\n${hooks.join('\n')}\n`);
    expect(mainParam('deployedAt').text).toMatch(/= utcNow\(\)$/);
    const output = descendants(trees.get(mainFile)!, 'output_declaration').find((o) => o.namedChildren[0].text === 'ROLES_ASSIGNED_AT');
    expect(output?.namedChildren.at(-1)!.text).toBe('deployedAt');
  });
});

describe('infra: blob events (automatic invalidation)', () => {
  const moduleFile = 'modules/blob-events.bicep';
  const body = (symbol: string) => properties(resource(moduleFile, symbol)!.namedChildren.at(-1)!);

  it('takes the origin storage accounts as an optional parameter, nothing by default', () => {
    expect(mainParam('blobEventSources').text).toMatch(/array = \[\]$/);
    const call = descendants(trees.get(mainFile)!, 'module_declaration').find((m) => m.namedChildren[0].text === 'blobEvents')!;
    expect(literal(call.namedChildren[1])).toBe('modules/blob-events.bicep');
    expect(call.text).toMatch(/for \(source, i\) in blobEventSources/);
    // Into the account's own resource group, found from its resource id.
    expect(call.text).toContain("scope: resourceGroup(split(source.storageAccountId, '/')[2], split(source.storageAccountId, '/')[4])");
  });

  it('delivers to the app\'s Event Grid function, named as functions/ registers it', () => {
    const registered = [...readFileSync(join(repoRoot, 'functions', 'blob-events.ts'), 'utf8').matchAll(/registerEventGrid\('([A-Za-z0-9]+)'/g)].map((m) => m[1]);
    expect(registered).toEqual(['blobEvents']);
    const call = descendants(trees.get(mainFile)!, 'module_declaration').find((m) => m.namedChildren[0].text === 'blobEvents')!;
    expect(call.text).toContain("functionResourceId: '${functionApp.outputs.functionAppId}/functions/blobEvents'");
  });

  it('creates a storage system topic and, per container, a subscription to BlobCreated and BlobDeleted under that container', () => {
    const topic = body('systemTopic');
    const topicProps = properties(topic.get('properties')!);
    expect(literal(topicProps.get('topicType'))).toBe('Microsoft.Storage.StorageAccounts');
    expect(topicProps.get('source')?.text).toBe('account.id');
    expect(topic.get('location')?.text).toBe('account.location');

    const loop = resource(moduleFile, 'containerSubscriptions')!.namedChildren.at(-1)!;
    expect(loop.text).toMatch(/^\[\s*for container in containers:/);
    const subscription = properties(descendants(loop, 'object')[0]);
    expect(subscription.get('parent')?.text).toBe('systemTopic');
    const props = properties(subscription.get('properties')!);
    const destination = properties(props.get('destination')!);
    expect(literal(destination.get('endpointType'))).toBe('AzureFunction');
    expect(properties(destination.get('properties')!).get('resourceId')?.text).toBe('functionResourceId');
    const filter = properties(props.get('filter')!);
    expect(filter.get('includedEventTypes')!.namedChildren.map((n) => literal(n))).toEqual(['Microsoft.Storage.BlobCreated', 'Microsoft.Storage.BlobDeleted']);
    expect(filter.get('subjectBeginsWith')?.text).toBe("'/blobServices/default/containers/${container}/'");
    expect(literal(props.get('eventDeliverySchema'))).toBe('EventGridSchema');
  });

  it('assigns no role for it: the function destination uses the host\'s key, and origins are read with their SAS', () => {
    expect(readFileSync(join(infraDir, moduleFile), 'utf8')).not.toMatch(/roleAssignments/);
  });
});
