/** Helpers of the browser tests: the built-in model as the test server serves it, and synthetic images. */
import { makeScene, type Scene, type SceneSpec } from './synthetic.ts';

/** The generated built-in model, served from the repository by the test server. */
export const BUILTIN_MANIFEST = '/packages/models/models/builtin/manifest.json';

export function sceneImage(spec: SceneSpec): { scene: Scene; image: ImageData } {
  const scene = makeScene(spec);
  return { scene, image: new ImageData(new Uint8ClampedArray(scene.rgba), scene.width, scene.height) };
}
