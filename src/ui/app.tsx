import { useEffect, useState } from 'preact/hooks';
import { signOut, useCredentials } from './api/session.js';
import { SignInDialog } from './components/sign-in-dialog.js';
import { useRoute } from './hooks/use-route.js';
import { href, type Route } from './lib/router.js';
import { EditorPage } from './pages/editor-page.js';
import { OverviewPage } from './pages/overview-page.js';
import { WorkerTypePage } from './pages/worker-type-page.js';

function Page({ route, onSignIn }: { route: Route; onSignIn: () => void }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'worker-type':
      return <WorkerTypePage name={route.name} onSignIn={onSignIn} />;
    case 'edit':
      return (
        <EditorPage
          key={`edit-${route.name}`}
          mode={{ kind: 'edit', name: route.name }}
          onSignIn={onSignIn}
        />
      );
    case 'create':
      return (
        <EditorPage
          key={`create-${route.from ?? ''}`}
          mode={{ kind: 'create', from: route.from }}
          onSignIn={onSignIn}
        />
      );
    case 'not-found':
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            <a href={href({ page: 'overview' })}>Go to the overview</a>
          </p>
        </section>
      );
  }
}

function pageTitle(route: Route): string {
  switch (route.page) {
    case 'overview':
      return 'Overview';
    case 'worker-type':
      return route.name;
    case 'edit':
      return `Edit ${route.name}`;
    case 'create':
      return route.from ? `Clone ${route.from}` : 'Create worker type';
    case 'not-found':
      return 'Not found';
  }
}

export function App() {
  const route = useRoute();
  const credentials = useCredentials();
  const [signingIn, setSigningIn] = useState(false);

  useEffect(() => {
    document.title = `${pageTitle(route)} · AWS Provisioner`;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route]);

  return (
    <>
      <button type="button" class="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href={href({ page: 'overview' })}>
          AWS Provisioner
        </a>
        <nav aria-label="Main">
          <a href={href({ page: 'overview' })} aria-current={route.page === 'overview' ? 'page' : undefined}>
            Overview
          </a>
          <a
            href={href({ page: 'create' })}
            aria-current={route.page === 'create' && !route.from ? 'page' : undefined}
          >
            Create worker type
          </a>
        </nav>
        <div class="session">
          {credentials ? (
            <>
              <span>
                Signed in as <strong>{credentials.clientId}</strong>
                {credentials.certificate ? ' (temporary)' : ''}
              </span>
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            </>
          ) : (
            <button type="button" class="primary" onClick={() => setSigningIn(true)}>
              Sign in
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} onSignIn={() => setSigningIn(true)} />
      </main>
      <SignInDialog open={signingIn} onClose={() => setSigningIn(false)} />
    </>
  );
}
