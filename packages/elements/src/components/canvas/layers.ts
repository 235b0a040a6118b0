import Konva from 'konva';
import { Viewport } from './viewport.ts';

type Paint = (g: CanvasRenderingContext2D, scale: number) => void;

/**
 * The Konva stage and its three layers: the image; the shapes that are not being edited (one custom shape that
 * paints only what is in view, redrawn when the document or the view changes, not on every pointer move); and the
 * overlay (selection, handles, drafts and tool previews, small and redrawn freely). Nothing listens to Konva
 * events: the element reads pointer events itself and Konva only draws.
 */
export class CanvasLayers {
  readonly stage: Konva.Stage;
  readonly viewport: Viewport;
  readonly #image = new Konva.Layer({ listening: false });
  readonly #shapes = new Konva.Layer({ listening: false });
  readonly #overlay = new Konva.Layer({ listening: false });
  #imageNode: Konva.Image | undefined;
  #source: HTMLImageElement | undefined;
  /** Halved copies of the image (index 1 = half size...), made when first needed. */
  #levels: (HTMLImageElement | HTMLCanvasElement)[] = [];

  constructor(container: HTMLDivElement, paintShapes: Paint, paintOverlay: Paint) {
    this.stage = new Konva.Stage({
      container,
      width: container.clientWidth || 1,
      height: container.clientHeight || 1,
      listening: false,
    });
    this.viewport = new Viewport(this.stage);
    const custom = (paint: Paint) =>
      new Konva.Shape({
        listening: false,
        perfectDrawEnabled: false,
        sceneFunc: (ctx) =>
          paint((ctx as unknown as { _context: CanvasRenderingContext2D })._context, this.viewport.scale),
      });
    this.#shapes.add(custom(paintShapes));
    this.#overlay.add(custom(paintOverlay));
    this.stage.add(this.#image, this.#shapes, this.#overlay);
  }

  setImage(img: HTMLImageElement | undefined): void {
    this.#imageNode?.destroy();
    this.#imageNode = undefined;
    this.#source = img;
    this.#levels = img ? [img] : [];
    if (img) {
      this.#imageNode = new Konva.Image({
        image: img,
        width: img.naturalWidth,
        height: img.naturalHeight,
        listening: false,
      });
      this.#image.add(this.#imageNode);
    }
    this.#image.batchDraw();
  }

  resize(width: number, height: number): void {
    this.stage.size({ width: width || 1, height: height || 1 });
  }

  /** Redraws everything (the view changed). */
  drawAll(): void {
    this.#pickLevel();
    this.stage.batchDraw();
  }

  /**
   * Zoomed out, a large image is drawn from a halved copy (a mipmap level): scaling 4096x4096 pixels down to a
   * few hundred on every frame costs the software rasteriser tens of milliseconds.
   */
  #pickLevel(): void {
    const node = this.#imageNode;
    const src = this.#source;
    if (!node || !src) return;
    const level = Math.max(0, Math.min(6, Math.floor(Math.log2(1 / this.viewport.scale))));
    while (this.#levels.length <= level) {
      const prev = this.#levels[this.#levels.length - 1] as HTMLImageElement | HTMLCanvasElement;
      const c = document.createElement('canvas');
      c.width = Math.max(1, Math.ceil(prev.width / 2));
      c.height = Math.max(1, Math.ceil(prev.height / 2));
      const g = c.getContext('2d');
      if (!g) return;
      g.imageSmoothingQuality = 'high';
      g.drawImage(prev, 0, 0, c.width, c.height);
      this.#levels.push(c);
    }
    const image = this.#levels[level];
    if (image && node.image() !== image) node.image(image);
  }

  /** Redraws the shape layer (the document or the selection changed). */
  drawShapes(): void {
    this.#shapes.batchDraw();
  }

  drawOverlay(): void {
    this.#overlay.batchDraw();
  }

  /** The composited pixels of the stage, for tests and thumbnails. */
  snapshot(): HTMLCanvasElement {
    return this.stage.toCanvas({ pixelRatio: 1 });
  }

  destroy(): void {
    this.stage.destroy();
  }
}
