import type * as vscode from 'vscode';

/** Owns child disposables and disposes them in reverse order of registration. */
export abstract class Disposable implements vscode.Disposable {
  private readonly children: vscode.Disposable[] = [];
  private disposed = false;

  protected register<T extends vscode.Disposable>(child: T): T {
    if (this.disposed) child.dispose();
    else this.children.push(child);
    return child;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.children.length) this.children.pop()!.dispose();
  }
}

/** A public owner for a composition root: `add` in dependency order, disposed in reverse. */
export class DisposableStore extends Disposable {
  add<T extends vscode.Disposable>(child: T): T {
    return this.register(child);
  }
}
