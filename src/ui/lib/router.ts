/** The UI's pages, addressed by the URL's hash so the server serves one file and reloads keep the page. */
export type Route =
  | { page: 'overview' }
  | { page: 'worker-type'; name: string }
  | { page: 'edit'; name: string }
  | { page: 'create'; from?: string }
  | { page: 'not-found'; hash: string };

const NAME = '([a-zA-Z0-9_-]{1,38})';

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const [pathname = '/', search = ''] = path.split('?');
  let match = new RegExp(`^/worker-type/${NAME}/edit$`).exec(pathname);
  if (match?.[1]) return { page: 'edit', name: match[1] };
  match = new RegExp(`^/worker-type/${NAME}$`).exec(pathname);
  if (match?.[1]) return { page: 'worker-type', name: match[1] };
  if (pathname === '/create') {
    const from = new URLSearchParams(search).get('from');
    return from ? { page: 'create', from } : { page: 'create' };
  }
  if (pathname === '/') return { page: 'overview' };
  return { page: 'not-found', hash };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'worker-type':
      return `#/worker-type/${route.name}`;
    case 'edit':
      return `#/worker-type/${route.name}/edit`;
    case 'create':
      return route.from ? `#/create?from=${encodeURIComponent(route.from)}` : '#/create';
    case 'not-found':
      return route.hash;
  }
}
