import { randomBytes } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageProductionDefault } from '@apollo/server/plugin/landingPage/default';
import type { Config } from '../config';
import { DASHBOARD_PATH } from './dashboard';
import { escapeHtml } from './html';

/** Where the SDL is served while introspection is on (the landing page links to it). */
export const SCHEMA_PATH = '/schema.graphql';

/** Sandbox over our own page in development (SANDBOX), Apollo's bare production page otherwise. */
export function chooseLandingPage(config: Config, demoToken: string | undefined): ApolloServerPlugin {
  return config.sandbox
    ? landingPagePlugin({
        demoToken,
        document: EXAMPLE_OPERATION,
        schemaPath: config.introspection ? SCHEMA_PATH : undefined,
      })
    : ApolloServerPluginLandingPageProductionDefault({ footer: false });
}

export interface LandingPagePluginOptions {
  /** A token for the demo analyst, shown and put in Sandbox's headers (development only). */
  demoToken?: string;
  /** The operation Sandbox opens with, and the one the curl line runs. */
  document: string;
  /** Where the SDL is served (absent when introspection is off). */
  schemaPath?: string;
}

/** Apollo's CDN: Sandbox's code and the frames it opens. */
const SANDBOX_SCRIPT =
  'https://embeddable-sandbox.cdn.apollographql.com/_latest/embeddable-sandbox.umd.production.min.js';
const SANDBOX_FRAMES = 'https://sandbox.embed.apollographql.com';

/** JSON inside a <script>: `</script>` and friends cannot close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * `/graphql` in a browser: Apollo Sandbox for those online, over a page of our own that shows when Sandbox
 * cannot load (it comes from Apollo's CDN): the demo token, an example query with a curl line to copy, and
 * where the schema is. Sandbox's frame covers the page once it loads, as Apollo's own landing page does.
 */
function landingPagePlugin(options: LandingPagePluginOptions): ApolloServerPlugin {
  const exampleBody = JSON.stringify({
    query: '{ viewer { name email } organizations(first: 3) { edges { node { name } } } }',
  });
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return {
            html: async () => {
              const nonce = randomBytes(16).toString('base64');
              const csp = [
                `script-src 'nonce-${nonce}' https://embeddable-sandbox.cdn.apollographql.com`,
                `style-src 'nonce-${nonce}'`,
                `frame-src ${SANDBOX_FRAMES}`,
              ].join('; ');
              const headers = options.demoToken ? { Authorization: `Bearer ${options.demoToken}` } : {};
              const curlHeader = options.demoToken
                ? ` -H 'authorization: Bearer ${options.demoToken}'`
                : ` -H 'authorization: Bearer <token>'`;
              return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>studygraph</title>
<style nonce="${nonce}">
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 52rem; padding: 1.5rem; color: #1b1f24; }
  pre, code { font: 14px/1.4 ui-monospace, monospace; background: #f3f4f6; border-radius: 4px; }
  pre { padding: .75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
  button { font: inherit; margin-bottom: 1rem; }
  #sandbox { position: fixed; inset: 0; }
  #sandbox:empty { display: none; }
  #sandbox iframe { width: 100%; height: 100%; border: 0; background: white; }
</style>
</head>
<body>
<main id="fallback">
  <h1>studygraph</h1>
  <p>The GraphQL gateway is running. Apollo Sandbox, the query editor usually shown here, could not be loaded:
  it comes from Apollo's CDN, and this browser cannot reach it. Everything below works offline.</p>
  ${
    options.demoToken
      ? `<h2>Demo token</h2>
  <p>Signed in as <code>analyst@example.com</code> (development only):</p>
  <pre id="demo-token">${escapeHtml(options.demoToken)}</pre>`
      : `<p>Send a token as <code>Authorization: Bearer &lt;token&gt;</code>; <code>npm run token -- analyst@example.com</code> prints one.</p>`
  }
  <h2>Try it</h2>
  <pre id="curl">curl -s <span id="endpoint">http://localhost:4000/graphql</span> -H 'content-type: application/json'${escapeHtml(curlHeader)} --data '${escapeHtml(exampleBody)}'</pre>
  <button id="copy-curl" type="button">Copy the curl line</button>
  <h2>An example operation</h2>
  <pre id="example">${escapeHtml(options.document)}</pre>
  ${options.schemaPath ? `<p>The schema: <a href="${escapeHtml(options.schemaPath)}">${escapeHtml(options.schemaPath)}</a> (SDL).</p>` : ''}
  <p>Charts of how teams work: <a id="dashboard-link" href="${DASHBOARD_PATH}">the analytics dashboard</a>.</p>
</main>
<div id="sandbox"></div>
<script nonce="${nonce}">
  document.getElementById('endpoint').textContent = location.origin + location.pathname;
  document.getElementById('copy-curl').addEventListener('click', function () {
    if (navigator.clipboard) navigator.clipboard.writeText(document.getElementById('curl').textContent);
  });
</script>
<script nonce="${nonce}">
  // Loaded from here (not a tag) so that its load handler is in place before it can fire.
  var sandboxScript = document.createElement('script');
  sandboxScript.nonce = ${scriptJson(nonce)};
  sandboxScript.src = ${scriptJson(SANDBOX_SCRIPT)};
  sandboxScript.onload = function () {
    if (!window.EmbeddedSandbox) return;
    new window.EmbeddedSandbox({
      target: '#sandbox',
      initialEndpoint: location.origin + location.pathname,
      initialState: { document: ${scriptJson(options.document)}, headers: ${scriptJson(headers)}, includeCookies: false },
      endpointIsEditable: false,
      runTelemetry: false,
      // Its styles come inside its frame: nothing inline here, which the page's CSP would refuse.
      allowDynamicStyles: false,
    });
  };
  document.body.appendChild(sandboxScript);
</script>
</body>
</html>`;
            },
          };
        },
      };
    },
  };
}

const EXAMPLE_OPERATION = `# Your demo token is already in the Authorization header.
query MyStudies {
  viewer { name email }
  organizations(first: 5) {
    edges {
      node {
        name
        plan
        viewerRole
        studies(first: 5) {
          totalCount
          edges { node { title status collaborators { role user { name } } } }
        }
      }
    }
  }
}
`;
