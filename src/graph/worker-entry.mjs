// Worker bootstrap: worker threads start without the parent's TypeScript loader, so register tsx
// here (the same way bin/retrace.js does) and then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
