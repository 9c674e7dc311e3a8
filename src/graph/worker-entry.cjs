// Worker bootstrap: worker threads start without the parent's TypeScript loader. tsx's CommonJS
// hook is registered here rather than its ESM loader: the ESM loader runs its hooks on an extra
// thread per worker and made each worker start about 250 ms slower (350 ms against 100 ms).
require('tsx/cjs/api').register();
require('./worker.ts');
