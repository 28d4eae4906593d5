#include "pcanno/viewer/workstation/edit_gate.hpp"

#include <QAction>
#include <QActionGroup>
#include <QWidget>

namespace pcanno::viewer::workstation {

EditGate::EditGate(QObject* parent) : QObject(parent), actions_(new QActionGroup(this)) {
  // A group for enabling together, not for choosing one: checkable members stay independent.
  actions_->setExclusionPolicy(QActionGroup::ExclusionPolicy::None);
}

QAction* EditGate::add(QAction* action) {
  actions_->addAction(action);
  action->setEnabled(open_);
  return action;
}

void EditGate::add(QWidget* widget) {
  widgets_.emplace_back(widget);
  widget->setEnabled(open_);
}

void EditGate::set_open(bool open) {
  open_ = open;
  actions_->setEnabled(open);
  for (const QPointer<QWidget>& w : widgets_) {
    if (w) w->setEnabled(open);
  }
}

}  // namespace pcanno::viewer::workstation
