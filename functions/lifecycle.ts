import { app } from '@azure/functions';
import { builtApp } from '../shared/app';
import { startUp } from '../shared/startup';

// Bad settings are logged as the instance starts, not when the first request arrives.
app.hook.appStart(() => {
  startUp();
});

// Rendition writes finish after their response; an instance being scaled in lets them land first.
app.hook.appTerminate(() => builtApp()?.renditions.settle());
